"""What a provider returned, as a stream of RGB pictures at a requested size.

A returned clip is a movie (H.264 MP4, ProRes MOV... anything PyAV decodes) or an image
sequence (a folder of PNG/TIFF/EXR frames, or a ``####`` pattern). Integer pictures come out
as uint8 or uint16 code values (display-referred, to be linearised through OCIO); float
pictures (EXR) come out as float32 in their own colour space.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterator, Protocol

import numpy as np

from ..errors import IngestFailed
from ..model import Resolution
from ..sequence import frame_path, has_frame_token
from .video import VideoInfo, VideoReader, probe_video, scale_rgb

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".exr", ".tif", ".tiff", ".dpx", ".jpg", ".jpeg")
_NUMBER = re.compile(r"(\d+)(?=\.[^.]+$)")

__all__ = ["ClipSource", "VideoClip", "ImageSequenceClip", "open_clip", "IMAGE_SUFFIXES"]


class ClipSource(Protocol):
    path: Path
    fps: Fraction | None  # None: an image sequence says nothing about its rate
    frames: int
    resolution: Resolution
    bits: int | None  # 8 / 16 for integer code values, None for float pictures
    file_colorspace: str  # what the files say, if anything

    def describe(self) -> dict[str, Any]: ...

    def pictures(self, size: Resolution, stop: int) -> Iterator[tuple[int, np.ndarray]]: ...


def _fail(path: Path, problem: str, shot: str) -> IngestFailed:
    return IngestFailed(f"{path.name} {problem}", shot=shot, field="clip",
                        fix="retry the download, or check the provider's output format")


@dataclass
class VideoClip:
    """A movie, decoded with PyAV (threaded) and scaled by swscale."""

    path: Path
    info: VideoInfo
    shot: str

    @property
    def fps(self) -> Fraction:
        return self.info.fps

    @property
    def frames(self) -> int:
        return self.info.frames

    @property
    def resolution(self) -> Resolution:
        return self.info.resolution

    @property
    def bits(self) -> int:
        return 8 if self.info.bit_depth <= 8 else 16

    @property
    def file_colorspace(self) -> str:
        return ""

    def describe(self) -> dict[str, Any]:
        step = self.info.decode_step()
        step.update({"source": self.path.name, "frames": self.frames, "fps": _fps_text(self.fps),
                     "resolution": [self.resolution.width, self.resolution.height]})
        return step

    def pictures(self, size: Resolution, stop: int) -> Iterator[tuple[int, np.ndarray]]:
        """(index, codes) for pictures 0..stop-1 at ``size``; fewer if the movie ends early."""
        with VideoReader(self.info, size=size, shot=self.shot) as reader:
            for index, frame in reader.frames():
                if index >= stop:
                    return
                yield index, reader.rgb(frame)


@dataclass
class ImageSequenceClip:
    """Numbered image files; frame order is numeric, gaps are an error."""

    path: Path
    files: list[Path]
    shot: str
    resolution: Resolution = field(default=Resolution(1, 1))
    bits: int | None = 8
    file_colorspace: str = ""
    fps: Fraction | None = None

    @property
    def frames(self) -> int:
        return len(self.files)

    def describe(self) -> dict[str, Any]:
        return {"step": "decode", "source": self.path.name, "kind": "image sequence",
                "format": self.files[0].suffix.lstrip(".").lower(), "frames": self.frames,
                "bits": self.bits or "float", "resolution": [self.resolution.width, self.resolution.height],
                "file_colorspace": self.file_colorspace}

    def pictures(self, size: Resolution, stop: int) -> Iterator[tuple[int, np.ndarray]]:
        import OpenImageIO as oiio

        kind = oiio.FLOAT if self.bits is None else (oiio.UINT8 if self.bits == 8 else oiio.UINT16)
        for index, path in enumerate(self.files[:stop]):
            buf = oiio.ImageBuf(str(path))
            if not buf.read(0, 0, True, kind):
                raise _fail(path, f"does not read: {buf.geterror()}", self.shot)
            spec = buf.spec()
            if (spec.width, spec.height) != (self.resolution.width, self.resolution.height):
                raise _fail(path, f"is {spec.width}x{spec.height}, the first frame is {self.resolution}",
                            self.shot)
            if spec.nchannels < 3:
                buf = oiio.ImageBufAlgo.channels(buf, (0, 0, 0))
            elif spec.nchannels > 3:
                buf = oiio.ImageBufAlgo.channels(buf, (0, 1, 2))
            if self.bits is None and (size.width, size.height) != (spec.width, spec.height):
                # Float pictures: OIIO's filtered resize (swscale would clip values above 1).
                buf = oiio.ImageBufAlgo.resize(buf, roi=oiio.ROI(0, size.width, 0, size.height, 0, 1, 0, 3))
            pixels = buf.get_pixels(kind)
            pixels = pixels.reshape(buf.spec().height, buf.spec().width, 3)
            if (pixels.shape[1], pixels.shape[0]) != (size.width, size.height):
                pixels = scale_rgb(pixels, size)  # integer codes: swscale, as for movies
            yield index, np.ascontiguousarray(pixels)


def _fps_text(fps: Fraction | None) -> str:
    if fps is None:
        return "unknown"
    return str(fps.numerator) if fps.denominator == 1 else f"{fps.numerator}/{fps.denominator}"


def _sequence_files(clip: Path, shot: str) -> list[Path]:
    """The numbered frames of a folder (its largest sequence) or of a frame pattern, in order."""
    found: list[tuple[int, Path]] = []
    if clip.is_dir():
        groups: dict[tuple[str, str], list[tuple[int, Path]]] = {}
        for entry in clip.iterdir():
            match = _NUMBER.search(entry.name)
            if entry.is_file() and entry.suffix.lower() in IMAGE_SUFFIXES and match:
                key = (entry.name[: match.start()], entry.name[match.end():])
                groups.setdefault(key, []).append((int(match.group(1)), entry))
        found = max(groups.values(), key=len) if groups else []
    else:
        pattern = str(clip)
        token = re.search(r"#+|@+|%0?\d*d", pattern)
        folder = Path(pattern[: token.start()]).parent if token else clip.parent
        head = Path(pattern[: token.start()]).name if token else ""
        tail = pattern[token.end():] if token else ""
        for entry in folder.iterdir() if token and folder.is_dir() else ():
            number = entry.name[len(head): len(entry.name) - len(tail)]
            if entry.name.startswith(head) and entry.name.endswith(tail) and number.lstrip("-").isdigit() \
                    and frame_path(pattern, int(number)) == entry:
                found.append((int(number), entry))
    found.sort()
    if found:
        numbers = [f for f, _ in found]
        gaps = sorted(set(range(numbers[0], numbers[-1] + 1)) - set(numbers))
        if gaps:
            raise IngestFailed(f"{clip.name} is missing frames {gaps[:5]}", shot=shot, field="clip",
                               fix="retry the download; the sequence is incomplete")
    return [p for _, p in found]


def open_clip(clip: Path, *, shot: str) -> ClipSource:
    """Open a returned movie, image folder or ``####`` pattern. Raises IngestFailed."""
    clip = Path(clip)
    if clip.is_dir() or has_frame_token(str(clip)):
        files = _sequence_files(clip, shot)
        if not files:
            raise _fail(clip, "holds no numbered image frames", shot)
        return _open_images(clip, files, shot)
    if clip.suffix.lower() in IMAGE_SUFFIXES and clip.is_file():
        return _open_images(clip, [clip], shot)
    return VideoClip(clip, probe_video(clip, shot=shot), shot)


def _open_images(clip: Path, files: list[Path], shot: str) -> ImageSequenceClip:
    import OpenImageIO as oiio

    image = oiio.ImageInput.open(str(files[0]))
    if image is None:
        raise _fail(files[0], f"does not read: {oiio.geterror()}", shot)
    try:
        spec = image.spec()
    finally:
        image.close()
    base = spec.format.basetype
    if base in (oiio.UINT8, oiio.INT8):
        bits: int | None = 8
    elif base in (oiio.UINT16, oiio.INT16, oiio.UINT32, oiio.INT32):
        bits = 16
    else:
        bits = None
    return ImageSequenceClip(clip, files, shot, Resolution(spec.width, spec.height), bits,
                             str(spec.get_string_attribute("oiio:ColorSpace", "")))
