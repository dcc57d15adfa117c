"""Recognising input media: magic-number sniffing and a PyAV probe.

The service never trusts a file name or a declared Content-Type: uploads and data URIs
are sniffed, and images and videos must actually decode before a task is made.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from shotloop.errors import ShotLoopError

log = logging.getLogger(__name__)

IMAGE_MIMES = frozenset({"image/png", "image/jpeg", "image/webp"})


@dataclass(frozen=True)
class Sniffed:
    kind: str  # "image", "video", "audio" or "unknown"
    mime: str


@dataclass(frozen=True)
class Probe:
    """What a decodable input holds. ``frames``/``fps`` are 0 for images."""

    width: int
    height: int
    frames: int = 0
    fps: Fraction = Fraction(0)

    @property
    def duration_s(self) -> float:
        return float(self.frames / self.fps) if self.fps else 0.0


class MediaUnreadable(ShotLoopError):
    """The bytes do not decode as the media they claim to be."""

    code = "media_unreadable"


def sniff(head: bytes) -> Sniffed:
    """The media type from the first bytes of a file."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image", "image/png")
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image", "image/jpeg")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image", "image/webp")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed("image", "image/gif")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"M4A ", b"M4B "):
            return Sniffed("audio", "audio/mp4")
        return Sniffed("video", "video/quicktime" if brand == b"qt  " else "video/mp4")
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free"):
        return Sniffed("video", "video/quicktime")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return Sniffed("video", "video/webm")
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed("audio", "audio/wav")
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return Sniffed("audio", "audio/mpeg")
    if head.startswith(b"fLaC"):
        return Sniffed("audio", "audio/flac")
    if head.startswith(b"OggS"):
        return Sniffed("audio", "audio/ogg")
    return Sniffed("unknown", "application/octet-stream")


def sniff_file(path: Path) -> Sniffed:
    with path.open("rb") as handle:
        return sniff(handle.read(32))


def probe(path: Path, kind: str) -> Probe:
    """Decode enough of ``path`` to know its size (and, for video, frames and rate)."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise MediaUnreadable("no picture stream")
            stream = container.streams.video[0]
            if kind == "image":
                frame = next(container.decode(stream))
                return Probe(frame.width, frame.height)
            rate = stream.average_rate or stream.guessed_rate or Fraction(24)
            frames = stream.frames or sum(1 for p in container.demux(stream) if p.size)
            width, height = stream.codec_context.width, stream.codec_context.height
            if not (frames and width and height):
                raise MediaUnreadable("the video has no frames")
            return Probe(width, height, frames, Fraction(rate))
    except (av.FFmpegError, StopIteration, UnicodeDecodeError) as exc:
        log.debug("probe of %s failed: %s", path, exc)
        raise MediaUnreadable(f"cannot be decoded as {kind}") from exc
