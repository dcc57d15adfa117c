"""MediaServices backed by ShotLoop's media stack, for ``shotloop ui`` (standalone) only.

Never imported by the panel in a host. Keyframe previews come from
``shotloop.media.keyframes.extract_keyframes`` with the options the agent's prepare pass
uses (extract_inputs.py), so the preview is what will be sent: the plate frame converted
to sRGB with OCIO and fitted to the ratio. Review frames come from the version's review
movie (display-referred already) or, without one, its EXR frames converted from the
version's colour space to sRGB; plates the same way from the shot's colour space.
"""
from __future__ import annotations

import logging
import math
from pathlib import Path
from typing import Iterator, Sequence

from qtpy.QtGui import QImage

from ..errors import PlateInvalid, ShotLoopError
from ..model import Recipe, Shot, Version
from .services import MediaServices

log = logging.getLogger(__name__)

MAX_CACHE_BYTES = 96 * 1024 * 1024  # per scrubbed source


def local_services(config: str | None = None) -> MediaServices:
    return MediaServices(
        keyframe_previews=lambda shot, recipe, work: keyframe_previews(shot, recipe, work, config),
        version_frames=lambda version, width: version_frames(version, width, config),
        plate_frames=lambda shot, width: plate_frames(shot, width, config),
        description="standalone: OpenImageIO/OCIO and PyAV in this process",
    )


def _qimage(rgb) -> QImage:
    """An HxWx3 uint8 array as a QImage that owns its pixels."""
    height, width = rgb.shape[:2]
    data = rgb.tobytes()
    return QImage(data, width, height, width * 3, QImage.Format.Format_RGB888).copy()


def scrub_width(width: int, height: int, frames: int, wanted: int) -> int:
    """``wanted``, made smaller when ``frames`` of that size would not fit the cache."""
    aspect = height / max(width, 1)
    fits = math.sqrt(MAX_CACHE_BYTES / max(frames, 1) / 3 / max(aspect, 1e-3))
    return max(64, min(wanted, width, int(fits)))


def keyframe_previews(shot: Shot, recipe: Recipe, work: Path,
                      config: str | None) -> Sequence[tuple[str, QImage]]:
    try:
        from ..media.keyframes import extract_keyframes
    except ImportError as exc:
        raise ShotLoopError("keyframe previews need shotloop.media.keyframes, which this "
                            f"install lacks ({exc})", field="preview",
                            fix="update ShotLoop; the agent still makes the keyframes at send time")
    options = recipe.options or {}
    work.mkdir(parents=True, exist_ok=True)
    keys = extract_keyframes(shot, recipe.keyframes, recipe.ratio, work, config=config,
                             exposure=float(options.get("exposure", 0.0)),
                             clamp=bool(options.get("clamp", True)),
                             fit=str(options.get("fit", "crop")))
    found = []
    for role, path in dict(keys.paths).items():
        image = QImage(str(path))
        if image.isNull():
            raise PlateInvalid(f"the {role} keyframe {path} cannot be read", shot=shot.name,
                               field="preview", fix="check the plate")
        found.append((str(role), image))
    return found


def movie_frames(path: str, first: int, width: int) -> Iterator[tuple[int, QImage]]:
    """Frames of a display-referred movie, numbered from ``first``, at most ``width`` wide."""
    import av

    with av.open(path) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        src_w, src_h = stream.codec_context.width, stream.codec_context.height
        count = stream.frames or 240
        w = scrub_width(src_w, src_h, count, width) // 2 * 2
        h = max(2, round(src_h * w / src_w) // 2 * 2)
        for index, frame in enumerate(container.decode(stream)):
            yield first + index, _qimage(frame.reformat(width=w, height=h, format="rgb24").to_ndarray())


def sequence_frames(pattern: str, frames: Sequence[int], colorspace: str, width: int,
                    config: str | None, *, shot: str | None = None) -> Iterator[tuple[int, QImage]]:
    """EXR (or any OIIO-readable) frames converted from ``colorspace`` to sRGB."""
    import numpy as np
    import OpenImageIO as oiio

    from ..media.colour import SRGB, convert, resolve_config
    from ..sequence import frame_path

    cfg = resolve_config(config)
    size: tuple[int, int] | None = None
    for frame in frames:
        path = frame_path(pattern, frame)
        buf = oiio.ImageBuf(str(path))
        if buf.has_error or not buf.read(0, 0, True, oiio.FLOAT):
            raise PlateInvalid(f"frame {frame} cannot be read: {buf.geterror()}", shot=shot,
                               field="frames", fix="check the files on disk")
        spec = buf.spec()
        if size is None:
            w = scrub_width(spec.width, spec.height, len(frames), width)
            size = (w, max(1, round(spec.height * w / spec.width)))
        rgb = oiio.ImageBufAlgo.channels(buf, (0, 1, 2)) if spec.nchannels >= 3 else \
            oiio.ImageBufAlgo.channels(buf, (0, 0, 0))
        small = oiio.ImageBufAlgo.resize(rgb, roi=oiio.ROI(0, size[0], 0, size[1], 0, 1, 0, 3))
        shown = convert(small, colorspace, SRGB, cfg, shot=shot)
        pixels = np.asarray(shown.get_pixels(oiio.FLOAT))
        yield frame, _qimage((np.clip(pixels, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8))


def version_frames(version: Version, width: int, config: str | None) -> Iterator[tuple[int, QImage]]:
    if version.movie and Path(version.movie).is_file():
        yield from movie_frames(version.movie, version.frame_range.first, width)
        return
    yield from sequence_frames(version.frames, list(version.frame_range.frames()),
                               version.colorspace, width, config, shot=version.shot)


def plate_frames(shot: Shot, width: int, config: str | None) -> Iterator[tuple[int, QImage]]:
    if shot.is_sequence:
        yield from sequence_frames(shot.source, list(shot.frame_range.frames()), shot.colorspace,
                                   width, config, shot=shot.name)
        return
    # A movie plate is display-referred: shown as decoded, numbered like the shot.
    yield from movie_frames(shot.source, shot.frame_range.first, width)
