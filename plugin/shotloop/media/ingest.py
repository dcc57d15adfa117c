"""Conform a returned clip to its shot: frames, rate, resolution, colour, EXR + review.

    conform(clip, target, out_dir) → <shot>_<label>_vNNN.####.exr (half float, scene-linear)
                                    + <shot>_<label>_vNNN.mp4 (H.264 review, sRGB, shot fps)
                                    + <shot>_<label>_vNNN.thumb.jpg (middle frame)

The calling thread decodes (PyAV, FFmpeg threads) and scales (swscale) each picture to
cover or fit the shot's resolution, then hands it to a small pool of writer threads that
convert it to the working space and write the EXR, with a bounded number in flight, so
memory stays flat however long the clip is. The review movie and the thumbnail are made
from the same display-referred pictures in the calling thread. Progress is reported from
the calling thread as frames are written.

Colour: sRGB (or the clip's display space) → working space through OCIO; see clipcolour.py.
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
from .clipcolour import ClipColour
from .clipsource import ClipSource, open_clip
from .colour import SRGB, WORKING_SPACE, check_colorspace, resolve_config
from .exrwrite import DEFAULT_COMPRESSION, WriterPool, remove_files, write_exr
from .fit import Fit, check_fit_mode, crop_or_pad, plan_fit
from .framemap import FrameMap, map_frames
from .review import ReviewMovie, write_thumbnail

log = logging.getLogger(__name__)

# EXR chromaticities of ACEScg (AP1 primaries, ACES white), so readers that honour the
# standard attribute know the primaries without a colour space name.
AP1_CHROMATICITIES = (0.713, 0.293, 0.165, 0.830, 0.128, 0.044, 0.32168, 0.33767)

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


@dataclass(frozen=True)
class _Plan:
    target: ConformTarget
    source: ClipSource
    mapping: FrameMap
    fit: Fit
    colour: ClipColour
    pattern: str
    frame_files: tuple[Path, ...]
    movie: Path
    thumbnail: Path


def conform(clip: Path, target: ConformTarget, out_dir: Path, *, config: str | None = None,
            retime: bool = False, fit: str = "crop", progress: Callable[[float], None] | None = None,
            cancel: threading.Event | None = None, source_colorspace: str | None = None,
            compression: str = DEFAULT_COMPRESSION, workers: int | None = None) -> Conformed:
    """Conform ``clip`` (a movie, an image folder or a #### pattern) to ``target`` in ``out_dir``.

    ``source_colorspace`` is the clip's colour space (default: sRGB for integer pictures,
    the target space for float pictures such as an ACEScg EXR sequence). Raises
    IngestFailed (bad clip, too short, would overwrite) or JobCancelled when ``cancel`` is
    set; either way every file this call created is removed first.
    """
    plan = _plan(Path(clip), target, Path(out_dir), config=config, retime=retime, fit=fit,
                 source_colorspace=source_colorspace)
    count = target.frame_range.count

    def report(done: int) -> None:
        if progress is not None:
            progress(done / count)

    pool = WriterPool(workers, progress=report)
    review: ReviewMovie | None = None
    try:
        review = ReviewMovie(plan.movie, target.resolution, rate_fraction(target.fps))
        _run(plan, pool, review, compression, cancel)
        pool.drain()
        review.close()
        _check_cancel(cancel, target.shot)
    except BaseException as exc:
        if review is not None:
            review.abandon()
        pool.abort()
        remove_files([plan.movie, plan.thumbnail])
        converted = _as_ingest_error(exc, Path(clip), target.shot)
        if converted is exc:
            raise
        raise converted from exc
    finally:
        pool.close()
    steps = (
        plan.source.describe(),
        plan.mapping.step,
        plan.fit.step(resample="OIIO resize (float pictures)" if plan.source.bits is None
                      else "swscale bicubic on display-referred pictures"),
        plan.colour.step(),
        {"step": "write", "frames": plan.pattern,
         "frame_range": [target.frame_range.first, target.frame_range.last],
         "format": "OpenEXR", "pixel_type": "half", "compression": compression,
         "colorspace": plan.colour.dst, "writers": pool.workers},
        review.step(note="made from the clip's display-referred pictures after the fit"),
        {"step": "thumbnail", "path": plan.thumbnail.name, "frame": target.frame_range.first + count // 2},
    )
    log.info("%s: conformed %s → %s (%d frames)", target.shot, Path(clip).name, plan.pattern, count)
    return Conformed(frames=plan.pattern, frame_range=target.frame_range, movie=plan.movie,
                     thumbnail=plan.thumbnail, source_fps=float(plan.source.fps or rate_fraction(target.fps)),
                     source_frames=plan.source.frames, steps=steps, fps=float(target.fps),
                     resolution=target.resolution, colorspace=plan.colour.dst)


def _plan(clip: Path, target: ConformTarget, out_dir: Path, *, config: str | None, retime: bool, fit: str,
          source_colorspace: str | None) -> _Plan:
    shot = target.shot
    check_fit_mode(fit, shot=shot)
    config = resolve_config(config)
    working = check_colorspace(config, target.colorspace, shot=shot, field="target.colorspace")
    out_dir.mkdir(parents=True, exist_ok=True)
    frame_files = tuple(out_dir / f"{target.name}.{f:04d}.exr" for f in target.frame_range.frames())
    movie, thumbnail = out_dir / f"{target.name}.mp4", out_dir / f"{target.name}.thumb.jpg"
    clashes = [p.name for p in (*frame_files, movie, thumbnail) if p.exists()]
    if clashes:
        raise IngestFailed(f"{out_dir} already holds {clashes[:3]}", shot=shot, field="out_dir",
                           fix="conform into an empty staging folder; published files are never overwritten")
    source = open_clip(clip, shot=shot)
    # OIIO reports a guess (lin_rec709) for any EXR without colour metadata, so float
    # pictures are taken to be in the working space unless the caller says otherwise.
    space = source_colorspace or (SRGB if source.bits is not None else working)
    space = check_colorspace(config, space, shot=shot, field="clip.colorspace")
    mapping = map_frames(target.frame_range.count, source.frames, source.fps, target.fps, retime=retime, shot=shot)
    colour = ClipColour(config, space, working, source.bits, assumed=source_colorspace is None)
    return _Plan(target, source, mapping, plan_fit(source.resolution, target.resolution, fit), colour,
                 str(out_dir / f"{target.name}.####.exr"), frame_files, movie, thumbnail)


def _write_frame(path: Path, pictures: np.ndarray, colour: ClipColour, compression: str,
                 attributes: Mapping[str, Any]) -> None:
    write_exr(path, colour.linear(pictures), compression=compression, attributes=attributes)


def _run(plan: _Plan, pool: WriterPool, review: ReviewMovie, compression: str,
         cancel: threading.Event | None) -> None:
    """Decode in order; each picture goes to the writers (EXR), the review movie and maybe the thumbnail."""
    target = plan.target
    outputs: dict[int, list[int]] = {}
    for out_index, src_index in enumerate(plan.mapping.sources):
        outputs.setdefault(src_index, []).append(out_index)
    middle = target.frame_range.count // 2
    decoded = 0
    for src_index, scaled in plan.source.pictures(plan.fit.scaled, plan.mapping.needed):
        _check_cancel(cancel, target.shot)
        decoded = src_index + 1
        if src_index not in outputs:
            continue
        picture = crop_or_pad(scaled, plan.fit)
        shown = plan.colour.review8(picture)
        for out_index in outputs[src_index]:
            attributes: dict[str, Any] = {
                "oiio:ColorSpace": plan.colour.dst, "Software": "ShotLoop", "shotloop:shot": target.shot,
                "shotloop:version": target.version, "shotloop:clip_frame": src_index}
            if plan.colour.dst == WORKING_SPACE:
                attributes["chromaticities"] = AP1_CHROMATICITIES
            path = plan.frame_files[out_index]
            pool.submit(path, _write_frame, path, picture, plan.colour, compression, attributes)
            review.write(shown)
            if out_index == middle:
                write_thumbnail(plan.thumbnail, shown)
    if decoded < plan.mapping.needed:
        raise IngestFailed(f"{plan.source.path.name} decodes only {decoded} of its {plan.source.frames} frames, "
                           f"the shot needs {plan.mapping.needed}", shot=target.shot, field="clip",
                           fix="retry the download; the file is truncated or corrupt")


def _check_cancel(cancel: threading.Event | None, shot: str) -> None:
    if cancel is not None and cancel.is_set():
        raise JobCancelled("the ingest was cancelled", shot=shot, field="job",
                           fix="submit the job again to ingest it")


def _as_ingest_error(exc: BaseException, clip: Path, shot: str) -> BaseException:
    """ShotLoop errors pass through; I/O and decoder errors become IngestFailed."""
    import av

    if isinstance(exc, (OSError, ValueError, RuntimeError, av.error.FFmpegError)) and \
            not isinstance(exc, ShotLoopError):
        return IngestFailed(f"conforming {clip.name} failed: {exc}", shot=shot, field="clip",
                            fix="check the disk and the clip, then retry the ingest")
    return exc
