"""Conform a returned clip to its shot: frames, rate, resolution, colour, EXR + review.

    conform(clip, target, out_dir) → <shot>_<label>_vNNN.####.exr (half float, scene-linear)
                                    + <shot>_<label>_vNNN.mp4 (H.264 review, sRGB, shot fps)
                                    + <shot>_<label>_vNNN.thumb.jpg (middle frame)

The calling thread decodes (PyAV, FFmpeg threads) and scales (swscale) each picture to
cover or fit the shot's resolution, then hands it to a small pool of writer threads that
convert it to the working space and write the EXR, with a bounded number in flight, so
memory stays flat however long the clip is. The review movie and the thumbnail are made
from the same display-referred pictures in the calling thread.

Colour: sRGB (or the clip's display space) → working space through OCIO. For integer
pictures the conversion is a 1D LUT + 3x3 matrix measured from OCIO and verified against it
(see fastpath.py); otherwise OCIO runs on every frame. Either way the transform is recorded.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np

from ..errors import IngestFailed, JobCancelled, ShotLoopError
from ..model import FrameRange, Resolution, rate_fraction
from .clipsource import ClipSource, open_clip
from .colour import SRGB, WORKING_SPACE, check_colorspace, colour_step, resolve_config
from .exrwrite import DEFAULT_COMPRESSION, WriterPool, remove_files, write_exr
from .fastpath import CodeToLinear, derive, ocio_array
from .fit import Fit, check_fit_mode, crop_or_pad, plan_fit
from .framemap import map_frames, rate_text
from .imageops import write_rgb8
from .video import H264Writer

log = logging.getLogger(__name__)

THUMBNAIL_WIDTH = 480
REVIEW_CRF = 18
REVIEW_PRESET = "ultrafast"

__all__ = ["ConformTarget", "Conformed", "conform"]


@dataclass(frozen=True)
class ConformTarget:
    """What the version must be: the shot's frames (handles included), rate, format, space."""

    shot: str
    label: str
    version: int
    frame_range: FrameRange
    fps: float
    resolution: Resolution
    colorspace: str = WORKING_SPACE

    @property
    def name(self) -> str:
        return f"{self.shot}_{self.label}_v{self.version:03d}"


@dataclass(frozen=True)
class Conformed:
    """The conformed version's files and every step that made them (for version.json)."""

    frames: str  # pattern with ####
    frame_range: FrameRange
    movie: Path
    thumbnail: Path
    source_fps: float
    source_frames: int
    steps: tuple[Mapping[str, Any], ...]
    fps: float = 24.0
    resolution: Resolution = Resolution(0, 0)
    colorspace: str = WORKING_SPACE


class _Linearize:
    """Display-referred pictures → working-space float32, the fast way when it is exact."""

    def __init__(self, source: ClipSource, src: str, dst: str, config: str) -> None:
        self.src, self.dst, self.config = src, dst, config
        self.bits = source.bits
        self.fast: CodeToLinear | None = None
        if self.bits is not None and src != dst:
            self.fast = derive(config, src, dst, self.bits)

    def __call__(self, codes: np.ndarray) -> np.ndarray:
        if self.fast is not None:
            return self.fast.apply(codes)
        if self.bits is not None:
            pixels = codes.astype(np.float32) * np.float32(1.0 / ((1 << self.bits) - 1))
        else:
            pixels = codes
        return pixels if self.src == self.dst else ocio_array(pixels, self.src, self.dst, self.config)

    def step(self) -> dict[str, Any]:
        if self.src == self.dst:
            return colour_step(self.config, self.src, self.dst, method="none (already in the working space)")
        method = self.fast.step() if self.fast else {"method": "OCIO on every frame"}
        return colour_step(self.config, self.src, self.dst, **method)


def _display_rgb8(codes: np.ndarray, bits: int | None, linear: _Linearize) -> np.ndarray:
    """8-bit sRGB-ish pictures for the review movie and thumbnail."""
    if bits == 8:
        return codes
    if bits == 16:
        return ((codes.astype(np.uint32) + 128) // 257).astype(np.uint8)
    # Float pictures (EXR returned): show them through OCIO to sRGB.
    shown = ocio_array(codes, linear.src, SRGB, linear.config)
    return (np.clip(shown, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def _even(fit: Fit) -> Resolution:
    return Resolution(fit.target.width + fit.target.width % 2, fit.target.height + fit.target.height % 2)


def _write_frame(path: Path, codes: np.ndarray, linear: _Linearize, compression: str,
                 attributes: Mapping[str, Any]) -> None:
    write_exr(path, linear(codes), compression=compression, attributes=attributes)


def _outputs(target: ConformTarget, out_dir: Path) -> tuple[str, list[Path], Path, Path]:
    pattern = str(out_dir / f"{target.name}.####.exr")
    frames = [out_dir / f"{target.name}.{f:04d}.exr" for f in target.frame_range.frames()]
    return pattern, frames, out_dir / f"{target.name}.mp4", out_dir / f"{target.name}.thumb.jpg"


def conform(clip: Path, target: ConformTarget, out_dir: Path, *, config: str | None = None,
            retime: bool = False, fit: str = "crop", progress: Callable[[float], None] | None = None,
            cancel: threading.Event | None = None, source_colorspace: str | None = None,
            compression: str = DEFAULT_COMPRESSION, workers: int | None = None) -> Conformed:
    """Conform ``clip`` to ``target`` in ``out_dir``; see the module docstring.

    ``source_colorspace`` is the clip's colour space (default: sRGB for integer pictures,
    the target space for float pictures such as an ACEScg EXR sequence). Raises IngestFailed
    (bad clip, too short, would overwrite), JobCancelled when ``cancel`` is set; either
    way every file this call created is removed first.
    """
    shot = target.shot
    check_fit_mode(fit, shot=shot)
    config = resolve_config(config)
    working = check_colorspace(config, target.colorspace, shot=shot, field="target.colorspace")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    pattern, frame_files, movie, thumbnail = _outputs(target, out_dir)
    clashes = [p.name for p in (*frame_files, movie, thumbnail) if p.exists()]
    if clashes:
        raise IngestFailed(f"{out_dir} already holds {clashes[:3]}", shot=shot, field="out_dir",
                           fix="conform into an empty staging folder; published files are never overwritten")

    source = open_clip(Path(clip), shot=shot)
    # OIIO reports a guess (lin_rec709) for any EXR without colour metadata, so float
    # pictures are taken to be in the working space unless the caller says otherwise.
    space = source_colorspace or (SRGB if source.bits is not None else working)
    space = check_colorspace(config, space, shot=shot, field="clip.colorspace")
    count = target.frame_range.count
    mapping = map_frames(count, source.frames, source.fps, target.fps, retime=retime, shot=shot)
    plan = plan_fit(source.resolution, target.resolution, fit)
    linear = _Linearize(source, space, working, config)
    rate = rate_fraction(target.fps)
    review_size = _even(plan)

    def report(done: int) -> None:
        if progress is not None:
            progress(done / count)

    pool = WriterPool(workers, progress=report)
    made: list[Path] = []
    review: H264Writer | None = None
    try:
        review = H264Writer(movie, review_size, rate, crf=REVIEW_CRF, preset=REVIEW_PRESET)
        made.append(movie)
        by_source: dict[int, list[int]] = {}
        for out_index, src_index in enumerate(mapping.sources):
            by_source.setdefault(src_index, []).append(out_index)
        middle = count // 2
        decoded = 0
        for src_index, codes in source.pictures(plan.scaled, mapping.needed):
            if cancel is not None and cancel.is_set():
                raise JobCancelled("the ingest was cancelled", shot=shot, field="job",
                                   fix="submit the job again to ingest it")
            decoded = src_index + 1
            outs = by_source.get(src_index)
            if not outs:
                continue
            picture = crop_or_pad(codes, plan)
            shown = _display_rgb8(picture, source.bits, linear)
            for out_index in outs:
                frame = target.frame_range.first + out_index
                attributes = {"oiio:ColorSpace": working, "Software": "ShotLoop",
                              "shotloop:shot": shot, "shotloop:version": target.version,
                              "shotloop:clip_frame": src_index}
                pool.submit(frame_files[out_index], _write_frame, frame_files[out_index], picture, linear,
                            compression, attributes)
                review.write(_pad_even(shown, review_size))
                if out_index == middle:
                    _thumbnail(thumbnail, shown)
                    made.append(thumbnail)
        if decoded < mapping.needed:
            raise IngestFailed(f"{Path(clip).name} decodes only {decoded} of its {source.frames} frames, "
                               f"the shot needs {mapping.needed}", shot=shot, field="clip",
                               fix="retry the download; the file is truncated or corrupt")
        pool.drain()
        review.close()
    except BaseException as exc:
        if review is not None:
            _close_quietly(review)
        pool.abort()
        remove_files(made)
        if isinstance(exc, (ShotLoopError, KeyboardInterrupt)):
            raise
        if isinstance(exc, (OSError, ValueError, RuntimeError, _av_error())):
            raise IngestFailed(f"conforming {Path(clip).name} failed: {exc}", shot=shot, field="clip",
                               fix="check the disk and the clip, then retry the ingest") from exc
        raise
    finally:
        pool.close()

    steps = (
        source.describe(),
        mapping.step,
        plan.step(resample="swscale bicubic on display-referred pictures"
                  if source.bits is not None and source.fps is not None else "OIIO resize"),
        linear.step(),
        {"step": "write", "frames": pattern, "frame_range": [target.frame_range.first, target.frame_range.last],
         "format": "OpenEXR", "pixel_type": "half", "compression": compression, "colorspace": working,
         "writers": pool.workers},
        {"step": "review", "movie": movie.name, "fps": rate_text(rate), **review.settings,
         "size": [review_size.width, review_size.height],
         "note": "made from the clip's display-referred pictures after the fit"},
        {"step": "thumbnail", "path": thumbnail.name, "frame": target.frame_range.first + count // 2},
    )
    log.info("%s: conformed %s → %s (%d frames)", shot, Path(clip).name, pattern, count)
    return Conformed(frames=pattern, frame_range=target.frame_range, movie=movie, thumbnail=thumbnail,
                     source_fps=float(source.fps or rate), source_frames=source.frames, steps=steps,
                     fps=float(target.fps), resolution=target.resolution, colorspace=working)


def _av_error() -> type[BaseException]:
    import av

    return av.error.FFmpegError


def _thumbnail(path: Path, rgb: np.ndarray) -> None:
    import OpenImageIO as oiio

    height, width = rgb.shape[:2]
    if width > THUMBNAIL_WIDTH:
        new_h = max(1, round(height * THUMBNAIL_WIDTH / width))
        buf = oiio.ImageBufAlgo.resize(oiio.ImageBuf(np.ascontiguousarray(rgb)),
                                       roi=oiio.ROI(0, THUMBNAIL_WIDTH, 0, new_h, 0, 1, 0, 3))
        rgb = buf.get_pixels(oiio.UINT8).reshape(new_h, THUMBNAIL_WIDTH, 3)
    write_rgb8(path, rgb, fmt="jpeg", quality=88)


def _close_quietly(review: H264Writer) -> None:
    try:
        review.close()
    except Exception as exc:  # already failing: the first error is the one to report
        log.debug("closing the review movie after a failure: %s", exc)


def _pad_even(rgb: np.ndarray, size: Resolution) -> np.ndarray:
    """Repeat the last row/column so H.264 4:2:0 gets an even size."""
    height, width = rgb.shape[:2]
    if (width, height) == (size.width, size.height):
        return rgb
    return np.pad(rgb, ((0, size.height - height), (0, size.width - width), (0, 0)), mode="edge")
