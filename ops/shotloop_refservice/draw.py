"""Pixel work for the rendered outputs, on 8-bit YUV 4:2:0 planes (BT.709, limited range).

Working in the encoder's own layout keeps a 1280x720 frame to a few cheap numpy passes.
Everything here is deterministic: the same arguments give the same planes.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Iterator

import av
import numpy as np

_SCALE_FLAGS = "BICUBIC"


@dataclass(frozen=True)
class Planes:
    """One picture as Y (h x w) and U, V (h/2 x w/2), uint8."""

    y: np.ndarray
    u: np.ndarray
    v: np.ndarray

    def copy(self) -> "Planes":
        return Planes(self.y.copy(), self.u.copy(), self.v.copy())

    def to_frame(self, index: int, time_base: Fraction) -> av.VideoFrame:
        h, w = self.y.shape
        packed = np.empty((h * 3 // 2, w), np.uint8)
        flat = packed.reshape(-1)
        quarter = (h // 2) * (w // 2)
        flat[: h * w] = self.y.reshape(-1)
        flat[h * w: h * w + quarter] = self.u.reshape(-1)
        flat[h * w + quarter:] = self.v.reshape(-1)
        frame = av.VideoFrame.from_ndarray(packed, format="yuv420p")
        frame.pts = index
        frame.time_base = time_base
        return frame


def from_frame(frame: av.VideoFrame, width: int, height: int) -> Planes:
    """Fit ``frame`` to width x height (cover, centre crop) as BT.709 YUV planes."""
    src_w, src_h = frame.width, frame.height
    target = width / height
    if abs(src_w / src_h - target) > 1e-3:
        rgb = frame.to_ndarray(format="rgb24")
        if src_w / src_h > target:
            crop_w = max(2, round(src_h * target))
            x0 = (src_w - crop_w) // 2
            rgb = rgb[:, x0: x0 + crop_w]
        else:
            crop_h = max(2, round(src_w / target))
            y0 = (src_h - crop_h) // 2
            rgb = rgb[y0: y0 + crop_h]
        frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
    yuv = frame.reformat(
        width=width, height=height, format="yuv420p", dst_colorspace="ITU709",
        dst_color_range="MPEG", interpolation=_SCALE_FLAGS, threads=1,
    ).to_ndarray()
    return split(yuv, width, height)


def split(packed: np.ndarray, width: int, height: int) -> Planes:
    flat = packed.reshape(-1)
    quarter = (height // 2) * (width // 2)
    y = flat[: width * height].reshape(height, width)
    u = flat[width * height: width * height + quarter].reshape(height // 2, width // 2)
    v = flat[width * height + quarter: width * height + 2 * quarter].reshape(height // 2, width // 2)
    return Planes(y.copy(), u.copy(), v.copy())


def crossfade(a: Planes, b: Planes, amount: float) -> Planes:
    """``a`` blended toward ``b`` by ``amount`` in [0, 1], in fixed point."""
    k = int(round(max(0.0, min(1.0, amount)) * 256))
    if k == 0:
        return a.copy()
    if k == 256:
        return b.copy()

    def mix(p: np.ndarray, q: np.ndarray) -> np.ndarray:
        return ((p.astype(np.uint16) * (256 - k) + q.astype(np.uint16) * k + 128) >> 8).astype(np.uint8)

    return Planes(mix(a.y, b.y), mix(a.u, b.u), mix(a.v, b.v))


def gradient(width: int, height: int, top: tuple[int, int, int], bottom: tuple[int, int, int]) -> Planes:
    """A vertical gradient between two YUV colours."""
    def ramp(rows: int, cols: int, start: int, end: int) -> np.ndarray:
        column = np.linspace(start, end, rows, dtype=np.float32).round().astype(np.uint8)
        return np.repeat(column[:, None], cols, axis=1)

    return Planes(ramp(height, width, top[0], bottom[0]),
                  ramp(height // 2, width // 2, top[1], bottom[1]),
                  ramp(height // 2, width // 2, top[2], bottom[2]))


@dataclass(frozen=True)
class Grade:
    """A per-clip colour grade applied with lookup tables."""

    y_lut: np.ndarray
    u_lut: np.ndarray
    v_lut: np.ndarray

    def apply(self, planes: Planes) -> Planes:
        return Planes(self.y_lut[planes.y], self.u_lut[planes.u], self.v_lut[planes.v])


def seeded_grade(rng: random.Random) -> Grade:
    gain, lift = rng.uniform(0.82, 1.08), rng.uniform(-10, 14)
    tint_u, tint_v = rng.uniform(-14, 14), rng.uniform(-14, 14)
    levels = np.arange(256, dtype=np.float32)
    y = np.clip(16 + (levels - 16) * gain + lift, 16, 235)
    u = np.clip(128 + (levels - 128) * 0.9 + tint_u, 16, 240)
    v = np.clip(128 + (levels - 128) * 0.9 + tint_v, 16, 240)
    return Grade(*(lut.round().astype(np.uint8) for lut in (y, u, v)))


@dataclass(frozen=True)
class Blob:
    """A soft disc that travels along a Lissajous path; its look derives from a seed."""

    radius: float  # fraction of the short side
    colour: tuple[int, int, int]  # Y, U, V
    freq: tuple[float, float]
    phase: tuple[float, float]
    reach: tuple[float, float]

    def centre(self, t: float, width: int, height: int) -> tuple[float, float]:
        x = 0.5 + self.reach[0] * math.sin(2 * math.pi * self.freq[0] * t + self.phase[0])
        y = 0.5 + self.reach[1] * math.sin(2 * math.pi * self.freq[1] * t + self.phase[1])
        return x * width, y * height


def seeded_blob(rng: random.Random) -> Blob:
    hue = rng.uniform(0, 2 * math.pi)
    return Blob(
        radius=rng.uniform(0.10, 0.17),
        colour=(int(rng.uniform(70, 200)), int(128 + 96 * math.cos(hue)), int(128 + 96 * math.sin(hue))),
        freq=(rng.choice((0.5, 0.75, 1.0, 1.25)), rng.choice((0.5, 1.0, 1.5))),
        phase=(rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi)),
        reach=(rng.uniform(0.2, 0.34), rng.uniform(0.15, 0.3)),
    )


def _mask(radius: int) -> np.ndarray:
    grid = np.arange(-radius, radius + 1, dtype=np.float32)
    dist2 = (grid[None, :] ** 2 + grid[:, None] ** 2) / float(max(radius, 1) ** 2)
    return np.clip(1.0 - dist2, 0.0, 1.0) ** 2


class BlobPainter:
    """Paints one blob onto planes, with masks computed once per clip size."""

    def __init__(self, blob: Blob, width: int, height: int) -> None:
        self.blob = blob
        self.width, self.height = width, height
        radius = max(4, int(blob.radius * min(width, height)))
        self._luma = _mask(radius)
        self._chroma = _mask(max(2, radius // 2))

    def paint(self, planes: Planes, t: float, opacity: float) -> None:
        if opacity <= 0:
            return
        cx, cy = self.blob.centre(t, self.width, self.height)
        colour = self.blob.colour
        _blend(planes.y, self._luma, int(round(cx)), int(round(cy)), colour[0], opacity)
        _blend(planes.u, self._chroma, int(round(cx / 2)), int(round(cy / 2)), colour[1], opacity)
        _blend(planes.v, self._chroma, int(round(cx / 2)), int(round(cy / 2)), colour[2], opacity)


def _blend(plane: np.ndarray, mask: np.ndarray, cx: int, cy: int, value: int, opacity: float) -> None:
    r = mask.shape[0] // 2
    h, w = plane.shape
    x0, y0, x1, y1 = max(0, cx - r), max(0, cy - r), min(w, cx + r + 1), min(h, cy + r + 1)
    if x0 >= x1 or y0 >= y1:
        return
    weights = mask[y0 - (cy - r): y1 - (cy - r), x0 - (cx - r): x1 - (cx - r)] * opacity
    region = plane[y0:y1, x0:x1].astype(np.float32)
    plane[y0:y1, x0:x1] = np.rint(region + (value - region) * weights).astype(np.uint8)


def timeline(frames: int) -> Iterator[tuple[int, float]]:
    """(index, t in [0, 1]) for each frame."""
    last = max(1, frames - 1)
    for index in range(frames):
        yield index, index / last


def smoothstep(t: float) -> float:
    return t * t * (3 - 2 * t)
