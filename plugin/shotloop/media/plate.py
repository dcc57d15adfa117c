"""Source plates: frame files, what a plate holds, and reading one frame as float RGB.

A plate is an image sequence (EXR, DPX, TIFF, PNG... anything OpenImageIO reads, named
with ``####``, ``@@@@`` or ``%04d``) or a movie (anything PyAV decodes).

Movie frame numbers: frame N of a shot is picture ``N - start`` of the movie, where
``start`` is the movie's start timecode in frames when it has one, else 0. When the shot's
range does not fit in the movie that way but the movie is long enough for it, the movie is
taken to hold exactly the shot's range (``start = first``), as a plate exported for the
shot does. ``PlateInfo.numbering`` records which rule applied.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from ..errors import PlateInvalid
from ..model import FrameRange, Resolution, Shot
from ..sequence import frame_path, has_frame_token
from .video import VideoInfo, VideoReader, parse_timecode, probe_video

log = logging.getLogger(__name__)

__all__ = ["frame_path", "scan_frames", "plate_info", "PlateInfo", "PlateReader"]


@dataclass(frozen=True)
class PlateInfo:
    """What a shot's plate holds (read from the first available frame's header)."""

    shot: str
    source: str
    is_movie: bool
    resolution: Resolution
    channels: int
    channel_names: tuple[str, ...]
    pixel_type: str  # "half", "float", "uint8", "uint16"...
    file_format: str
    frame_range: FrameRange
    missing: tuple[int, ...] = ()
    file_colorspace: str = ""  # what the file's own metadata says, if anything
    movie_fps: float | None = None
    movie_frames: int = 0
    movie_start: int = 0  # frame number of the movie's first picture
    numbering: str = "sequence"  # sequence | timecode | zero | range

    @property
    def complete(self) -> bool:
        return not self.missing

    def record(self) -> dict[str, Any]:
        return {"source": self.source, "is_movie": self.is_movie,
                "resolution": [self.resolution.width, self.resolution.height],
                "channels": list(self.channel_names), "pixel_type": self.pixel_type,
                "format": self.file_format, "frame_range": [self.frame_range.first, self.frame_range.last],
                "numbering": self.numbering, "movie_start": self.movie_start}


def _movie_start(info: VideoInfo, frame_range: FrameRange) -> tuple[int, str]:
    timecode = parse_timecode(info.timecode, info.fps) if info.timecode else None
    start, rule = (timecode, "timecode") if timecode is not None else (0, "zero")
    fits = start <= frame_range.first and frame_range.last < start + info.frames
    if not fits and frame_range.count <= info.frames:
        return frame_range.first, "range"
    return start, rule


def scan_frames(pattern: str, frame_range: FrameRange) -> list[int]:
    """Frames of ``frame_range`` that the plate does not have.

    For a movie: every frame if the file is missing, else the frames past its end (by the
    numbering rule in this module's docstring).
    """
    if has_frame_token(pattern):
        return [f for f in frame_range.frames() if not frame_path(pattern, f).is_file()]
    path = Path(pattern)
    if not path.is_file():
        return list(frame_range.frames())
    info = probe_video(path, error_type=PlateInvalid)
    start, _ = _movie_start(info, frame_range)
    return [f for f in frame_range.frames() if not start <= f < start + info.frames]


def plate_info(shot: Shot) -> PlateInfo:
    """Resolution, channels, pixel type and completeness of ``shot``'s plate.

    Raises PlateInvalid when no frame of the range exists or the file does not read.
    """
    if not shot.is_sequence:
        info = probe_video(Path(shot.source), shot=shot.name, error_type=PlateInvalid)
        start, rule = _movie_start(info, shot.frame_range)
        missing = tuple(f for f in shot.frame_range.frames() if not start <= f < start + info.frames)
        return PlateInfo(shot=shot.name, source=shot.source, is_movie=True, resolution=info.resolution,
                         channels=3, channel_names=("R", "G", "B"),
                         pixel_type="uint8" if info.bit_depth <= 8 else "uint16", file_format=info.codec,
                         frame_range=shot.frame_range, missing=missing, movie_fps=float(info.fps),
                         movie_frames=info.frames, movie_start=start, numbering=rule)
    missing = tuple(scan_frames(shot.source, shot.frame_range))
    present = [f for f in shot.frame_range.frames() if f not in set(missing)]
    if not present:
        raise PlateInvalid(f"no frame of {shot.frame_range} exists at {shot.source}", shot=shot.name,
                           field="shot.source", fix="check the plate path and the frame range")
    spec, fmt = _read_spec(frame_path(shot.source, present[0]), shot.name)
    return PlateInfo(shot=shot.name, source=shot.source, is_movie=False,
                     resolution=Resolution(spec.full_width or spec.width, spec.full_height or spec.height),
                     channels=spec.nchannels, channel_names=tuple(spec.channelnames),
                     pixel_type=str(spec.format), file_format=fmt, frame_range=shot.frame_range,
                     missing=missing, file_colorspace=str(spec.get_string_attribute("oiio:ColorSpace", "")))


def _read_spec(path: Path, shot: str) -> tuple[Any, str]:
    import OpenImageIO as oiio

    image = oiio.ImageInput.open(str(path))
    if image is None:
        raise PlateInvalid(f"{path.name} does not read: {oiio.geterror()}", shot=shot, field="shot.source",
                           fix="check the file is a complete image OpenImageIO can read")
    try:
        return image.spec(), image.format_name()
    finally:
        image.close()


def _require(shot: Shot, frame: int) -> None:
    if frame not in shot.frame_range.frames():
        raise PlateInvalid(f"frame {frame} is outside the shot's range {shot.frame_range}", shot=shot.name,
                           field="frames", fix="pick frames inside the shot's range")


class PlateReader:
    """Read frames of a plate as scene-referred float32 (H, W, 3) arrays in the plate's space.

    Movies are decoded in order and only seek when asked for an earlier or distant frame.
    Sequences are read through OpenImageIO (R, G, B picked by name, grey expanded, alpha
    and other channels dropped; each recorded once in ``notes``).
    """

    def __init__(self, shot: Shot, info: PlateInfo | None = None) -> None:
        self.shot = shot
        self.info = info or plate_info(shot)
        self.notes: list[str] = []
        self._video: VideoReader | None = None
        self._frames: Iterator[tuple[int, Any]] | None = None
        self._last = -(10**9)

    def __enter__(self) -> "PlateReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._video is not None:
            self._video.close()
            self._video = None

    def _check(self, frame: int) -> None:
        _require(self.shot, frame)
        if frame in self.info.missing:
            raise PlateInvalid(f"frame {frame} of {self.shot.source} is missing", shot=self.shot.name,
                               field="shot.source", fix="restore the frame, then retry")

    def read(self, frame: int) -> np.ndarray:
        """The frame as an (H, W, 3) float32 array."""
        import OpenImageIO as oiio

        self._check(frame)
        if self.info.is_movie:
            return self._read_movie(frame - self.info.movie_start)
        buf = self.read_buf(frame)
        spec = buf.spec()
        return buf.get_pixels(oiio.FLOAT).reshape(spec.height, spec.width, 3)

    def read_buf(self, frame: int) -> Any:
        """The frame as an OIIO ImageBuf: R, G, B only, display window at the origin.

        Half-float files stay half in memory (OCIO reads them directly), which avoids a
        slow float conversion; the ImageBuf never goes through numpy on this path.
        """
        import OpenImageIO as oiio

        self._check(frame)
        if self.info.is_movie:
            pixels = self._read_movie(frame - self.info.movie_start)
            buf = oiio.ImageBuf(oiio.ImageSpec(pixels.shape[1], pixels.shape[0], 3, oiio.FLOAT))
            buf.set_pixels(oiio.ROI(), pixels)
            return buf
        path = frame_path(self.shot.source, frame)
        buf = oiio.ImageBuf(str(path))
        spec = buf.spec()
        kind = oiio.HALF if spec.format == oiio.TypeDesc(oiio.HALF) else oiio.FLOAT
        if buf.has_error or not buf.read(0, 0, True, kind):
            raise PlateInvalid(f"{path.name} does not read: {buf.geterror()}", shot=self.shot.name,
                               field="shot.source", fix="check the file is a complete image")
        names = list(spec.channelnames)
        picked = _rgb_channels(names)
        if picked is None:
            self._note(f"grey channel {names[0]} used for R, G and B")
            buf = oiio.ImageBufAlgo.channels(buf, (0, 0, 0), ("R", "G", "B"))
        elif picked != (0, 1, 2) or len(names) != 3:
            self._note(f"channels {[n for i, n in enumerate(names) if i not in picked]} not used")
            buf = oiio.ImageBufAlgo.channels(buf, picked)
        data = (spec.x, spec.y, spec.width, spec.height)
        full = (spec.full_x, spec.full_y, spec.full_width or spec.width, spec.full_height or spec.height)
        if data != full or full[:2] != (0, 0):
            if data != full:
                self._note(f"{path.name}: data window differs from the display window; placed in it")
            buf = oiio.ImageBufAlgo.cut(buf, oiio.ROI(full[0], full[0] + full[2], full[1], full[1] + full[3]))
        if buf.has_error:
            raise PlateInvalid(f"{path.name} does not read: {buf.geterror()}", shot=self.shot.name,
                               field="shot.source", fix="check the file is a complete image")
        return buf

    def _read_movie(self, index: int) -> np.ndarray:
        if self._video is None:
            info = probe_video(Path(self.shot.source), shot=self.shot.name, error_type=PlateInvalid)
            self._video = VideoReader(info, depth=16, shot=self.shot.name, error_type=PlateInvalid)
            self._note(str(info.decode_step()))
        if self._frames is None or not self._last < index <= self._last + 8:
            self._frames = self._video.frames(start=index)
        for got, frame in self._frames:
            self._last = got
            if got == index:
                return self._video.rgb(frame).astype(np.float32) / 65535.0
            if got > index:
                break
        self._frames = None
        raise PlateInvalid(f"picture {index} of {Path(self.shot.source).name} does not decode",
                           shot=self.shot.name, field="shot.source",
                           fix="check the movie is complete and the frame range fits it")

    def _note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def _rgb_channels(names: list[str]) -> tuple[int, int, int] | None:
    lower = [n.lower() for n in names]
    for wanted in (("r", "g", "b"), ("red", "green", "blue")):
        if all(w in lower for w in wanted):
            return tuple(lower.index(w) for w in wanted)  # type: ignore[return-value]
    if len(names) >= 3:
        return (0, 1, 2)
    return None
