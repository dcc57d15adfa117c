"""The video-to-video input: a plate range as an H.264 MP4 in sRGB at the recipe's ratio.

Frames are read and prepared (fit to the ratio, OCIO to sRGB, clamp, 8-bit) by worker
threads a few frames ahead of the encoder, in order, so memory stays flat. The encoder's
rate is capped from the byte limit and the duration (x264 VBV), and the file is checked
against the limit afterwards; one re-encode at a lower rate is tried before giving up.
"""
from __future__ import annotations

import logging
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from ..errors import JobCancelled, PlateInvalid, RecipeInvalid, ShotLoopError
from ..model import FrameRange, Resolution, Shot, rate_fraction
from ..sequence import compact_ranges
from .colour import SRGB, check_colorspace, resolve_config
from .exrwrite import default_workers
from .fit import Fit, check_fit_mode, plan_fit, ratio_size
from .framemap import rate_text
from .imageops import DisplayConverter, place
from .keyframes import RESAMPLE
from .plate import PlateInfo, PlateReader, plate_info
from .video import H264Writer, rgb48_frame

log = logging.getLogger(__name__)

# Runway's data-URI limit for videos (16 MB); uploads allow more, but data URIs are simplest.
VIDEO_MAX_BYTES = 16 * 1024 * 1024
CONTAINER_MARGIN = 0.92  # share of the byte budget given to the video bitstream

__all__ = ["Proxy", "make_proxy", "VIDEO_MAX_BYTES"]


@dataclass(frozen=True)
class Proxy:
    path: Path
    frame_range: FrameRange
    fps: float
    resolution: Resolution
    bytes: int
    steps: tuple[Mapping[str, Any], ...]


def make_proxy(shot: Shot, ratio: str, out: Path, *, config: str | None = None, fit: str = "crop",
               frame_range: FrameRange | None = None, max_bytes: int = VIDEO_MAX_BYTES,
               cancel: threading.Event | None = None, out_colorspace: str = SRGB) -> Proxy:
    """Write ``out`` (an .mp4) from ``frame_range`` (default: the shot's range) of the plate.

    Raises PlateInvalid (missing frames, unknown colour space), RecipeInvalid (bad ratio or
    fit, or no encode fits ``max_bytes``), JobCancelled when ``cancel`` is set; a partial
    file is removed.
    """
    check_fit_mode(fit, shot=shot.name)
    frames = frame_range or shot.frame_range
    config = resolve_config(config)
    plate_space = check_colorspace(config, shot.colorspace, shot=shot.name, field="shot.colorspace")
    display = check_colorspace(config, out_colorspace, shot=shot.name, field="proxy.colorspace")
    source = replace(shot, frame_range=frames)
    info = plate_info(source)
    if info.missing:
        raise PlateInvalid(f"frames {compact_ranges(info.missing)} of {shot.source} are missing",
                           shot=shot.name, field="shot.source", fix="restore the frames, then retry")
    size = ratio_size(ratio, info.resolution, fit, shot=shot.name)
    plan = plan_fit(info.resolution, size, fit)
    converter = DisplayConverter(config, plate_space, display, shot=shot.name)
    rate = rate_fraction(shot.fps)
    duration = frames.count / float(rate)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    budget = int(max_bytes * CONTAINER_MARGIN * 8 / duration)
    attempts = ((18, budget), (23, int(budget * 0.7)))
    for crf, max_bitrate in attempts:
        settings = _encode(source, info, plan, out, rate, crf, max_bitrate, converter, cancel=cancel)
        size_bytes = out.stat().st_size
        if size_bytes <= max_bytes:
            break
        log.info("%s: proxy is %d bytes, over %d; encoding again at a lower rate",
                 shot.name, size_bytes, max_bytes)
    else:
        out.unlink(missing_ok=True)
        raise RecipeInvalid(f"the proxy of {frames} does not fit in {max_bytes} bytes", shot=shot.name,
                            field="recipe.duration", fix="send a shorter range or a smaller ratio")
    steps = (
        {"step": "proxy_source", **info.record()},
        plan.step(ratio=ratio, resample=RESAMPLE),
        converter.step(clamp=True, exposure=0.0),
        {"step": "encode", "path": str(out), "fps": rate_text(rate), "frames": frames.count,
         "frame_range": [frames.first, frames.last], "size": [size.width, size.height],
         "bytes": size_bytes, "max_bytes": max_bytes, **settings},
    )
    return Proxy(out, frames, float(rate), size, size_bytes, steps)


def _prepare(reader: PlateReader, frame: int, buf: Any, plan: Fit, converter: DisplayConverter) -> Any:
    """One plate frame → a video frame ready for the encoder (which scales it to the target)."""
    import av

    if buf is None:
        buf = reader.read_buf(frame)
    if plan.placement == (0, 0, plan.target.width, plan.target.height):
        _, _, w, h = plan.window  # crop (or same size): convert the window straight into the frame
        picture, pixels = rgb48_frame(w, h)
        converter.codes16(buf, plan.window, out=pixels)
        return picture
    return av.VideoFrame.from_ndarray(place(converter.codes16(buf, plan.window), plan), format="rgb24")


def _encode(shot: Shot, info: PlateInfo, plan: Fit, out: Path, rate: Any, crf: int,
            max_bitrate: int, converter: DisplayConverter, *, cancel: threading.Event | None) -> dict[str, Any]:
    """One encode of the shot's range; movies are decoded here in order, images by the workers."""
    workers = default_workers()
    pending: deque[Future[Any]] = deque()
    writer = H264Writer(out, plan.target, rate, crf=crf, preset="veryfast", max_bitrate=max_bitrate)
    with PlateReader(shot, info) as reader, \
            ThreadPoolExecutor(workers, thread_name_prefix="shotloop-proxy") as pool:
        try:
            for frame in shot.frame_range.frames():
                if cancel is not None and cancel.is_set():
                    raise JobCancelled("making the proxy was cancelled", shot=shot.name, field="job",
                                       fix="submit the job again")
                buf = reader.read_buf(frame) if info.is_movie else None  # movies decode in order
                pending.append(pool.submit(_prepare, reader, frame, buf, plan, converter))
                if len(pending) > 2 * workers:
                    writer.write_frame(pending.popleft().result())
            while pending:
                writer.write_frame(pending.popleft().result())
            writer.close()
        except BaseException as exc:
            for future in pending:
                future.cancel()
            try:
                writer.close()
            except Exception as late:  # the first failure is the one to report
                log.debug("closing %s after a failure: %s", out.name, late)
            out.unlink(missing_ok=True)
            converted = _as_plate_error(exc, shot.name)
            if converted is exc:
                raise
            raise converted from exc
    return dict(writer.settings)


def _as_plate_error(exc: BaseException, shot: str) -> BaseException:
    """ShotLoop errors pass through; I/O, OIIO and encoder errors become PlateInvalid."""
    import av

    if isinstance(exc, ShotLoopError) or not isinstance(exc, (OSError, ValueError, RuntimeError,
                                                              av.error.FFmpegError)):
        return exc
    return PlateInvalid(f"making the proxy failed: {exc}", shot=shot, field="proxy",
                        fix="check the plate files and free disk space, then retry")
