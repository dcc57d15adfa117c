"""Fitting a picture into another size: cover and centre-crop, or contain and centre-pad.

One plan (``Fit``) is computed from the two sizes and used by every path, whether the
scaling is done by swscale on a decoded video frame or by OpenImageIO on a plate, so
keyframes, proxies and ingest crop the same way and record it the same way.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import RecipeInvalid
from ..model import Resolution

FIT_MODES = ("crop", "pad")
# Ratios whose sides are both at least this are pixel sizes ("1280:720"); smaller ones
# ("16:9", "2.39:1") only give an aspect, and the size comes from the plate.
PIXEL_RATIO_MIN = 64

__all__ = ["FIT_MODES", "Fit", "plan_fit", "check_fit_mode", "ratio_size", "crop_or_pad"]


@dataclass(frozen=True)
class Fit:
    """How ``source`` becomes ``target``.

    ``window`` (x, y, w, h) is the part of the source that is kept; it is resized to the
    ``placement`` (x, y, w, h) inside the target. ``scaled`` is the whole source scaled by
    ``scale`` (what a scaler that cannot crop produces first); ``offset`` is where the
    target starts inside ``scaled`` (crop) or where ``scaled`` starts inside the target (pad).
    """

    mode: str
    source: Resolution
    target: Resolution
    scale: float
    window: tuple[int, int, int, int]
    placement: tuple[int, int, int, int]
    scaled: Resolution
    offset: tuple[int, int]

    @property
    def identity(self) -> bool:
        return self.source == self.target

    def step(self, **extra: Any) -> dict[str, Any]:
        step: dict[str, Any] = {
            "step": "fit", "mode": self.mode, "from": [self.source.width, self.source.height],
            "to": [self.target.width, self.target.height], "scale": round(self.scale, 6),
            "window": list(self.window), "placement": list(self.placement),
        }
        step.update(extra)
        return step


def check_fit_mode(mode: str, *, shot: str | None, field: str = "recipe.options.fit") -> str:
    if mode not in FIT_MODES:
        raise RecipeInvalid(f"fit {mode!r} is not known", shot=shot, field=field,
                            fix=f"use one of {list(FIT_MODES)}")
    return mode


def plan_fit(source: Resolution, target: Resolution, mode: str = "crop") -> Fit:
    """The plan to cover (``crop``) or contain (``pad``) ``target`` with ``source``."""
    check_fit_mode(mode, shot=None, field="fit")
    sw, sh, tw, th = source.width, source.height, target.width, target.height
    if mode == "crop":
        scale = max(tw / sw, th / sh)
        ww, wh = min(sw, max(1, round(tw / scale))), min(sh, max(1, round(th / scale)))
        window = ((sw - ww) // 2, (sh - wh) // 2, ww, wh)
        placement = (0, 0, tw, th)
        scaled = Resolution(max(tw, round(sw * scale)), max(th, round(sh * scale)))
        offset = ((scaled.width - tw) // 2, (scaled.height - th) // 2)
    else:
        scale = min(tw / sw, th / sh)
        pw, ph = min(tw, max(1, round(sw * scale))), min(th, max(1, round(sh * scale)))
        window = (0, 0, sw, sh)
        placement = ((tw - pw) // 2, (th - ph) // 2, pw, ph)
        scaled = Resolution(pw, ph)
        offset = (placement[0], placement[1])
    return Fit(mode, source, target, scale, window, placement, scaled, offset)


def ratio_size(ratio: str, plate: Resolution, mode: str = "crop", *, shot: str | None = None,
               even: bool = True) -> Resolution:
    """The pixel size a ratio asks for.

    A pixel ratio ("1280:720") is that size. An aspect-only ratio ("16:9") keeps the plate's
    pixels: the largest window of that aspect inside the plate (crop) or the smallest frame
    of that aspect around it (pad). ``even`` rounds to even sizes (H.264 4:2:0 needs them).
    """
    try:
        left, right = (float(part) for part in ratio.split(":"))
        if left <= 0 or right <= 0:
            raise ValueError(ratio)
    except ValueError:
        raise RecipeInvalid(f"ratio {ratio!r} is not W:H", shot=shot, field="recipe.ratio",
                            fix="use a ratio like 1280:720") from None
    if min(left, right) >= PIXEL_RATIO_MIN and left.is_integer() and right.is_integer():
        width, height = int(left), int(right)
    else:
        aspect = left / right
        if (plate.aspect > aspect) == (mode == "crop"):
            height = plate.height
            width = round(height * aspect)
        else:
            width = plate.width
            height = round(width / aspect)
    if even:
        width, height = max(2, width - width % 2), max(2, height - height % 2)
    return Resolution(width, height)


def crop_or_pad(scaled: np.ndarray, fit: Fit, fill: float | int = 0) -> np.ndarray:
    """Cut the target out of an (H, W, C) array of size ``fit.scaled``, or pad it to it."""
    tw, th = fit.target.width, fit.target.height
    x, y = fit.offset
    if fit.mode == "crop":
        if scaled.shape[0] == th and scaled.shape[1] == tw:
            return scaled
        return np.ascontiguousarray(scaled[y:y + th, x:x + tw])
    out = np.full((th, tw, scaled.shape[2]), fill, dtype=scaled.dtype)
    out[y:y + scaled.shape[0], x:x + scaled.shape[1]] = scaled
    return out
