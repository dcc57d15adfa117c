"""Per-frame fast paths for OCIO transforms of the shape "curve then matrix", derived from OCIO.

Decoded video is 8-bit (or 10/12/16-bit) display-referred RGB, so an OCIO transform such as
sRGB → ACEScg only ever sees 2**bits values per channel. When the transform is a
per-channel curve followed by a 3x3 matrix (and an offset), it can be applied as a 1D LUT
and a matrix in numpy, several times faster than running OCIO on every pixel of every
frame (``CodeToLinear``). The way out (ACEScg → sRGB codes, for proxies) is the inverse of
such a transform: a matrix, then the inverse curve as a table (``LinearToCode``).

Nothing here is written down by hand: LUTs and matrices are measured by running OCIO
(through OpenImageIO) on ramps of every code value, and every fast path is checked against
OCIO on a set of test pixels (ramps, cube corners, greys, random values). If the largest
difference is above the tolerance (a 3D LUT, a look, a tone-mapping view…), ``derive`` /
``derive_display`` return None and callers run OCIO on every frame instead.

Both are applied in blocks of ``BLOCK`` pixels: a block stays in the CPU cache through all
the steps, and a (BLOCK, 3) x (3, 3) product stays under OpenBLAS's threading threshold, so
no BLAS worker threads spin while the rest of ShotLoop uses the cores.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .colour import oiio_config_arg

log = logging.getLogger(__name__)

TOLERANCE = 1e-3  # absolute, or relative above 1.0
BLOCK = 16384
GRID = 65536  # entries of the display table (on a square-root spaced grid)

__all__ = ["CodeToLinear", "LinearToCode", "derive", "derive_display", "ocio_array", "TOLERANCE"]


def ocio_array(pixels: np.ndarray, src: str, dst: str, config: str) -> np.ndarray:
    """Run OCIO (via OIIO's colorconvert) on an (H, W, 3) float32 array."""
    import OpenImageIO as oiio

    buf = oiio.ImageBuf(np.ascontiguousarray(pixels, dtype=np.float32))
    out = oiio.ImageBufAlgo.colorconvert(buf, src, dst, unpremult=False, colorconfig=oiio_config_arg(config))
    if out.has_error:
        raise ValueError(f"OCIO {src} → {dst} failed: {out.geterror()}")
    return out.get_pixels(oiio.FLOAT).reshape(pixels.shape)


def _is_identity(matrix: np.ndarray) -> bool:
    return bool(np.allclose(matrix, np.eye(3), atol=1e-7))


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
    _matrix_t: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_matrix_t", np.ascontiguousarray(self.matrix.T, dtype=np.float32))

    def apply(self, codes: np.ndarray) -> np.ndarray:
        """(H, W, 3) uint8/uint16 codes → (H, W, 3) float32 in ``dst``."""
        flat = codes.reshape(-1, 3)
        out = np.empty(flat.shape, np.float32)
        identity = _is_identity(self.matrix)
        lin = np.empty((min(BLOCK, len(flat)), 3), np.float32)
        for start in range(0, len(flat), BLOCK):
            part = flat[start:start + BLOCK]
            step = lin[: len(part)]
            target = out[start:start + len(part)]
            if self.luts.shape[0] == 1:
                np.take(self.luts[0], part, out=target if identity else step)
            else:
                for channel in range(3):
                    np.take(self.luts[channel], part[:, channel], out=(target if identity else step)[:, channel])
            if not identity:
                np.matmul(step, self._matrix_t, out=target)
        if self.offset.any():
            out += self.offset
        return out.reshape(codes.shape)

    def step(self) -> dict[str, Any]:
        return {"method": "1D LUT + 3x3 matrix derived from OCIO", "bits": self.bits,
                "verified_max_error": float(f"{self.max_error:.3g}"),
                "verified_pixels": self.checked_pixels, "tolerance": TOLERANCE}


@dataclass(frozen=True, eq=False)
class LinearToCode:
    """Scene-linear float → display uint16 codes: ``table[sqrt(clip(A @ x + b))]``."""

    config: str
    src: str
    dst: str
    matrix: np.ndarray  # (3, 3): scene-linear → normalised curve input (0..1)
    shift: np.ndarray  # (3,)
    tables: np.ndarray  # (1 or 3, GRID) uint16 display codes
    max_error: float
    checked_pixels: int
    _matrix_t: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_matrix_t", np.ascontiguousarray(self.matrix.T, dtype=np.float32))

    def apply(self, pixels: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """(H, W, 3) float32/float16 → (H, W, 3) uint16 display codes (clamped; NaN → 0).

        ``out``, if given, receives the codes (e.g. a video frame's own pixel buffer).
        """
        if out is not None and not out.flags.c_contiguous:
            out[...] = self.apply(pixels)
            return out
        flat = pixels.reshape(-1, 3)
        result = np.empty(pixels.shape, np.uint16) if out is None else out
        out = result.reshape(-1, 3)
        work = np.empty((min(BLOCK, len(flat)), 3), np.float32)
        shifted = bool(self.shift.any())
        for start in range(0, len(flat), BLOCK):
            part = flat[start:start + BLOCK]
            t = work[: len(part)]
            np.matmul(part, self._matrix_t, out=t)
            if shifted:
                t += self.shift
            np.fmax(t, 0.0, out=t)  # fmax/fmin also map NaN to the bound
            np.fmin(t, 1.0, out=t)
            np.sqrt(t, out=t)
            t *= GRID - 1
            t += 0.5
            index = t.astype(np.uint16)
            target = out[start:start + len(part)]
            if self.tables.shape[0] == 1:
                np.take(self.tables[0], index, out=target)
            else:
                for channel in range(3):
                    np.take(self.tables[channel], index[:, channel], out=target[:, channel])
        return result

    def step(self) -> dict[str, Any]:
        return {"method": "3x3 matrix + 1D table derived from OCIO", "table": GRID,
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


def derive_display(config: str, src: str, dst: str, *, tolerance: float = TOLERANCE) -> LinearToCode | None:
    """A fast ``src`` (scene-linear) → ``dst`` (display, clamped to 0..1) path, or None.

    Measured as the inverse of the display → linear transform (``derive`` at 16 bits),
    then verified forward against OCIO on scene-linear test values.
    """
    inverse = derive(config, dst, src, 16, tolerance=tolerance)
    if inverse is None or abs(np.linalg.det(inverse.matrix.astype(np.float64))) < 1e-9:
        return None
    curves = inverse.luts.astype(np.float64)  # curve input at each display code
    if np.any(np.diff(curves, axis=1) <= 0):
        return None  # not strictly increasing: no table can invert it
    low, high = curves[:, :1], curves[:, -1:]
    # Normalise each curve's input to 0..1 and fold the normalisation into the matrix.
    a = np.linalg.inv(inverse.matrix.astype(np.float64))
    b = -a @ inverse.offset.astype(np.float64)
    span = (high - low)[:, 0]
    a = a / span[:, None]
    b = (b - low[:, 0]) / span
    grid = (np.arange(GRID, dtype=np.float64) / (GRID - 1)) ** 2
    codes = np.arange(curves.shape[1], dtype=np.float64)
    tables = np.stack([np.interp(low[c, 0] + grid * span[c], curves[c], codes) for c in range(curves.shape[0])])
    tables = np.clip(np.round(tables), 0, 65535).astype(np.uint16)
    candidate = LinearToCode(config, src, dst, a.astype(np.float32), b.astype(np.float32), tables, 0.0, 0)
    rng = np.random.default_rng(11)
    values = np.concatenate([
        rng.uniform(-0.05, 1.5, (4096, 3)),
        np.repeat(np.geomspace(1e-5, 16.0, 512)[:, None], 3, axis=1),
        np.eye(3) * 0.18, np.eye(3), np.zeros((1, 3)),
    ]).astype(np.float32)
    reference = np.clip(ocio_array(values[None], src, dst, config)[0], 0.0, 1.0)
    got = candidate.apply(values[None])[0] / 65535.0
    error = float(np.max(np.abs(got - reference)))
    if not np.isfinite(error) or error > tolerance:
        log.info("no fast display path for %s → %s: differs from OCIO by %.3g", src, dst, error)
        return None
    return LinearToCode(config, src, dst, a.astype(np.float32), b.astype(np.float32), tables, error,
                        int(values.shape[0]))
