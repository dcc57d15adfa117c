"""What a returned clip holds, read without decoding every frame when the container says."""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from ..errors import IngestFailed


@dataclass(frozen=True)
class Probe:
    frames: int
    fps: float
    width: int
    height: int
    codec: str


def probe_clip(path: Path, *, shot: str | None = None) -> Probe:
    """Open ``path`` with PyAV, decode its first picture and count its video packets.

    Raises IngestFailed when the file does not decode or holds no picture.
    """
    import av

    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise IngestFailed(f"{Path(path).name} holds no video stream", shot=shot,
                                   field="output", fix="check the provider's output format")
            stream = container.streams.video[0]
            rate = stream.average_rate or stream.guessed_rate or Fraction(24)
            next(iter(container.decode(stream)))  # the picture itself must decode
            container.seek(0)
            frames = sum(1 for packet in container.demux(stream) if packet.size)
            width, height, codec = stream.codec_context.width, stream.codec_context.height, stream.codec_context.name
    except (av.error.FFmpegError, OSError, UnicodeDecodeError, StopIteration) as exc:
        raise IngestFailed(f"{Path(path).name} does not decode ({type(exc).__name__}: {exc})",
                           shot=shot, field="output", fix="retry the job; the download may be corrupt") from None
    if frames == 0 or width == 0:
        raise IngestFailed(f"{Path(path).name} decodes to no pictures", shot=shot, field="output",
                           fix="retry the job; the download may be corrupt")
    return Probe(frames=frames, fps=float(rate), width=width, height=height, codec=codec)
