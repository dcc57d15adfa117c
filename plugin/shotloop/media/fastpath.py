"""A per-frame fast path for integer-coded RGB → linear float, derived from OCIO.

Decoded video is 8-bit (or 10/12/16-bit) display-referred RGB, so an OCIO transform such as
sRGB → ACEScg only ever sees 2**bits values per channel. When the transform is a
per-channel curve followed by a 3x3 matrix (and an offset), it can be applied as a 1D LUT
and a matrix in numpy, much faster than running OCIO on every pixel of every frame.

The LUT and matrix are not written down here: they are measured by running OCIO (through
OpenImageIO) on ramps of every code value, and the result is checked against OCIO on a set
of test pixels (ramps, cube corners, greys and random codes). If the largest difference
is above the tolerance (the config holds a 3D LUT, a look, a non-separable transform…),
``derive`` returns None and callers run OCIO on every frame instead.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .colour import oiio_config_arg

log = logging.getLogger(__name__)

TOLERANCE = 1e-3  # absolute, or relative above 1.0

__all__ = ["CodeToLinear", "derive", "ocio_array", "TOLERANCE"]


def ocio_array(pixels: np.ndarray, src: str, dst: str, config: str) -> np.ndarray:
    """Run OCIO (via OIIO's colorconvert) on an (H, W, 3) float32 array."""
    import OpenImageIO as oiio

    buf = oiio.ImageBuf(np.ascontiguousarray(pixels, dtype=np.float32))
    out = oiio.ImageBufAlgo.colorconvert(buf, src, dst, unpremult=False, colorconfig=oiio_config_arg(config))
    if out.has_error:
        raise ValueError(f"OCIO {src} → {dst} failed: {out.geterror()}")
    return out.get_pixels(oiio.FLOAT).reshape(pixels.shape)


@dataclass(frozen=True, eq=False)
class CodeToLinear:
    """``out = matrix @ lut[code] + offset`` per pixel, for codes of ``bits`` bits."""

    config: str
    src: str
    dst: str
    bits: int
    luts: np.ndarray  # (1, 2**bits) when every channel shares the curve, else (3, 2**bits)
    matrix: np.ndarray  # (3, 3) float32
    offset: np.ndarray  # (3,) float32
    max_error: float
    checked_pixels: int
    _identity: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_identity", bool(np.allclose(self.matrix, np.eye(3), atol=1e-7)))

    def apply(self, codes: np.ndarray) -> np.ndarray:
        """(H, W, 3) uint8/uint16 codes → (H, W, 3) float32 in ``dst``."""
        if self.luts.shape[0] == 1:
            lin = np.take(self.luts[0], codes)
        else:
            lin = np.empty(codes.shape, np.float32)
            for channel in range(3):
                np.take(self.luts[channel], codes[..., channel], out=lin[..., channel])
        if not self._identity:
            lin = self._mix(lin)
        if self.offset.any():
            lin += self.offset
        return lin

    def _mix(self, lin: np.ndarray) -> np.ndarray:
        # Per-channel multiply-adds rather than matmul: a (N, 3) x (3, 3) product would go
        # to BLAS, whose spinning worker threads cost more CPU than the product itself.
        out = np.empty_like(lin)
        tmp = np.empty(lin.shape[:-1], np.float32)
        channels = [lin[..., k] for k in range(3)]
        for row in range(3):
            acc = out[..., row]
            np.multiply(channels[0], self.matrix[row, 0], out=acc)
            for k in (1, 2):
                np.multiply(channels[k], self.matrix[row, k], out=tmp)
                acc += tmp
        return out

    def step(self) -> dict[str, Any]:
        return {"method": "1D LUT + 3x3 matrix derived from OCIO", "bits": self.bits,
                "verified_max_error": float(f"{self.max_error:.3g}"),
                "verified_pixels": self.checked_pixels, "tolerance": TOLERANCE}


def _test_codes(bits: int, seed: int = 7) -> np.ndarray:
    top = (1 << bits) - 1
    ramp = np.linspace(0, top, 257).round().astype(np.int64)
    rows = [np.stack([ramp, ramp, ramp], -1)]
    for channel in range(3):
        single = np.zeros((ramp.size, 3), np.int64)
        single[:, channel] = ramp
        rows.append(single)
    corners = np.array([[r, g, b] for r in (0, top) for g in (0, top) for b in (0, top)])
    rows.append(corners)
    rows.append(np.random.default_rng(seed).integers(0, top + 1, (4096, 3)))
    return np.concatenate(rows)


def derive(config: str, src: str, dst: str, bits: int = 8, *, tolerance: float = TOLERANCE) -> CodeToLinear | None:
    """Measure ``src → dst`` on every code value, then verify it on test pixels.

    Returns None when the transform is not a per-channel curve plus a matrix within
    ``tolerance`` of OCIO itself.
    """
    top = (1 << bits) - 1
    levels = np.arange(top + 1, dtype=np.float32) / top
    n = levels.size
    probe = np.zeros((4, n, 3), np.float32)  # row 0: black; rows 1-3: one channel ramped
    for channel in range(3):
        probe[channel + 1, :, channel] = levels
    measured = ocio_array(probe, src, dst, config)
    offset = measured[0, 0].astype(np.float64)
    columns = np.stack([measured[c + 1, -1].astype(np.float64) - offset for c in range(3)], axis=1)
    curves = np.empty((3, n), np.float64)
    for channel in range(3):
        column = columns[:, channel]
        norm = float(column @ column)
        if norm < 1e-12:
            return None
        curves[channel] = (measured[channel + 1].astype(np.float64) - offset) @ column / norm
    shared = bool(np.allclose(curves, curves[0], rtol=1e-6, atol=1e-7))
    luts = (curves[:1] if shared else curves).astype(np.float32)
    candidate = CodeToLinear(config, src, dst, bits, luts, columns.astype(np.float32),
                             offset.astype(np.float32), 0.0, 0)
    codes = _test_codes(bits)
    expected = ocio_array((codes / top).astype(np.float32)[None], src, dst, config)[0]
    got = candidate.apply(codes.astype(np.uint16 if bits > 8 else np.uint8)[None])[0]
    error = float(np.max(np.abs(got - expected) / np.maximum(1.0, np.abs(expected))))
    if not np.isfinite(error) or error > tolerance:
        log.info("no fast path for %s → %s (%d-bit): differs from OCIO by %.3g", src, dst, bits, error)
        return None
    return CodeToLinear(config, src, dst, bits, luts, columns.astype(np.float32),
                        offset.astype(np.float32), error, int(codes.shape[0]))
