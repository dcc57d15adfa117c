"""A returned clip's colour on the way in: its pictures → the working space, and → sRGB for review.

Integer pictures (8/16-bit codes from video or PNG) go through the OCIO-derived, verified
LUT + matrix (fastpath.CodeToLinear) when the transform allows it; float pictures (EXR)
and anything else go through OCIO on every frame. Either way the record says which.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .colour import SRGB, colour_step
from .fastpath import CodeToLinear, LinearToCode, derive, derive_display, ocio_array

__all__ = ["ClipColour"]


class ClipColour:
    """``src`` (the clip's space) → ``dst`` (the working space) for pictures of ``bits`` bits.

    ``bits`` is 8 or 16 for integer code values, None for float pictures.
    """

    def __init__(self, config: str, src: str, dst: str, bits: int | None, *, assumed: bool) -> None:
        self.config, self.src, self.dst, self.bits, self.assumed = config, src, dst, bits, assumed
        self.fast: CodeToLinear | None = None
        self._review: LinearToCode | None = None
        if bits is not None and src != dst:
            self.fast = derive(config, src, dst, bits)
        if bits is None:
            self._review = derive_display(config, src, SRGB)

    def linear(self, pictures: np.ndarray) -> np.ndarray:
        """(H, W, 3) pictures → float32 in the working space."""
        if self.fast is not None:
            return self.fast.apply(pictures)
        if self.bits is not None:
            pixels = pictures.astype(np.float32) * np.float32(1.0 / ((1 << self.bits) - 1))
        else:
            pixels = pictures
        return pixels if self.src == self.dst else ocio_array(pixels, self.src, self.dst, self.config)

    def review8(self, pictures: np.ndarray) -> np.ndarray:
        """8-bit display pictures for the review movie and thumbnail."""
        if self.bits == 8:
            return pictures  # already display-referred codes: shown as delivered
        if self.bits == 16:
            return ((pictures.astype(np.uint32) + 128) // 257).astype(np.uint8)
        codes = self._review.apply(pictures) if self._review is not None else np.round(
            np.clip(ocio_array(pictures, self.src, SRGB, self.config), 0.0, 1.0) * 65535).astype(np.uint16)
        return ((codes.astype(np.uint32) + 128) // 257).astype(np.uint8)

    def step(self) -> dict[str, Any]:
        assumption = "sRGB, as for display-referred video" if self.bits is not None else \
            "the working space, as for float images without colour metadata"
        extra: dict[str, Any] = {"source_colorspace": f"assumed: {assumption}" if self.assumed else "given"}
        if self.src == self.dst:
            return colour_step(self.config, self.src, self.dst, method="none (already in the working space)",
                               **extra)
        method = self.fast.step() if self.fast else {"method": "OCIO on every frame"}
        return colour_step(self.config, self.src, self.dst, **method, **extra)
