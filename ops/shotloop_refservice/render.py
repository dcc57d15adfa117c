"""Real, deterministic output movies: H.264 yuv420p MP4s made with PyAV.

- image_to_video starts on the first keyframe (cover-fitted to the ratio, centre crop),
  cross-fades toward the last keyframe when there is one, and carries a soft disc whose
  path and colour come from the seed; the disc fades in, so frame 0 is the keyframe.
- text_to_video paints a gradient and two discs from a hash of prompt and seed.
- video_to_video grades the input's frames (seed-driven) and adds a disc, keeping the
  input's frame count and frame rate.
The same ``RenderSpec`` always gives the same bytes (fixed x264 settings and threads,
bit-exact muxing); a different seed gives different frames.
"""
from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import av

from . import draw
from .draw import Planes

RENDER_VERSION = 1


@dataclass(frozen=True)
class Source:
    path: Path
    digest: str  # sha256 of the file, so the cache key follows content, not names


@dataclass(frozen=True)
class RenderSpec:
    kind: str  # "image_to_video", "text_to_video" or "video_to_video"
    width: int
    height: int
    frames: int
    fps: Fraction
    seed: int
    prompt: str = ""  # fault markers already removed
    first: Source | None = None
    last: Source | None = None
    video: Source | None = None
    preset: str = "ultrafast"
    crf: int = 20
    threads: int = 1

    def key(self) -> str:
        """A content hash naming the output in the render cache."""
        data = {
            "v": RENDER_VERSION, "kind": self.kind, "size": [self.width, self.height],
            "frames": self.frames, "fps": str(self.fps), "seed": self.seed, "prompt": self.prompt,
            "first": self.first and self.first.digest, "last": self.last and self.last.digest,
            "video": self.video and self.video.digest,
            "x264": [self.preset, self.crf, self.threads],
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]


def render(spec: RenderSpec, out: Path) -> Path:
    """Write the movie for ``spec`` to ``out`` (atomically) and return ``out``."""
    partial = out.with_name(out.name + ".part")
    frames = _PICTURES[spec.kind](spec)
    with _Encoder(partial, spec) as encoder:
        for planes in frames:
            encoder.write(planes)
    partial.replace(out)
    return out


def _rng(spec: RenderSpec, salt: str) -> random.Random:
    digest = hashlib.sha256(f"{salt}|{spec.seed}|{spec.prompt}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _fade_in(index: int, spec: RenderSpec) -> float:
    ramp = max(1.0, float(spec.fps) / 2)
    return 0.75 * min(1.0, index / ramp)


def _image_to_video(spec: RenderSpec) -> Iterator[Planes]:
    assert spec.first is not None
    first = _still(spec.first.path, spec.width, spec.height)
    last = _still(spec.last.path, spec.width, spec.height) if spec.last else None
    painter = draw.BlobPainter(draw.seeded_blob(_rng(spec, "blob")), spec.width, spec.height)
    for index, t in draw.timeline(spec.frames):
        planes = draw.crossfade(first, last, draw.smoothstep(t)) if last else first.copy()
        painter.paint(planes, t, _fade_in(index, spec))
        yield planes


def _text_to_video(spec: RenderSpec) -> Iterator[Planes]:
    rng = _rng(spec, "text")
    top = (int(rng.uniform(30, 120)), int(rng.uniform(90, 166)), int(rng.uniform(90, 166)))
    bottom = (int(rng.uniform(110, 220)), int(rng.uniform(90, 166)), int(rng.uniform(90, 166)))
    background = draw.gradient(spec.width, spec.height, top, bottom)
    painters = [draw.BlobPainter(draw.seeded_blob(rng), spec.width, spec.height) for _ in range(2)]
    for _, t in draw.timeline(spec.frames):
        planes = background.copy()
        for painter in painters:
            painter.paint(planes, t, 0.8)
        yield planes


def _video_to_video(spec: RenderSpec) -> Iterator[Planes]:
    assert spec.video is not None
    grade = draw.seeded_grade(_rng(spec, "grade"))
    painter = draw.BlobPainter(draw.seeded_blob(_rng(spec, "blob")), spec.width, spec.height)
    last = max(1, spec.frames - 1)
    with av.open(str(spec.video.path)) as container:
        stream = container.streams.video[0]
        stream.thread_count = 1
        for index, frame in enumerate(container.decode(stream)):
            if index >= spec.frames:
                break
            planes = grade.apply(draw.from_frame(frame, spec.width, spec.height))
            painter.paint(planes, index / last, _fade_in(index, spec))
            yield planes


_PICTURES = {
    "image_to_video": _image_to_video,
    "text_to_video": _text_to_video,
    "video_to_video": _video_to_video,
}


def _still(path: Path, width: int, height: int) -> Planes:
    with av.open(str(path)) as container:
        frame = next(container.decode(video=0))
        return draw.from_frame(frame, width, height)


class _Encoder:
    """libx264 into MP4 with fixed settings, tagged BT.709 limited range."""

    def __init__(self, path: Path, spec: RenderSpec) -> None:
        self._time_base = 1 / spec.fps
        self._container = av.open(str(path), "w", format="mp4", options={"fflags": "+bitexact"})
        stream = self._container.add_stream("libx264", rate=spec.fps)
        stream.width, stream.height, stream.pix_fmt = spec.width, spec.height, "yuv420p"
        context = stream.codec_context
        context.colorspace = context.color_primaries = context.color_trc = 1  # BT.709
        context.color_range = 1  # limited ("MPEG")
        context.gop_size = max(1, int(round(spec.fps)))
        context.options = {"preset": spec.preset, "crf": str(spec.crf), "threads": str(spec.threads)}
        context.thread_count = spec.threads
        self._stream = stream
        self._count = 0

    def write(self, planes: Planes) -> None:
        frame = planes.to_frame(self._count, self._time_base)
        self._container.mux(self._stream.encode(frame))
        self._count += 1

    def __enter__(self) -> "_Encoder":
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        try:
            if error is None:
                self._container.mux(self._stream.encode(None))
        finally:
            self._container.close()
