"""Plate frame → display picture, shared by keyframes and proxies.

Plate arrays are (H, W, 3) float32 in the plate's space. Colour goes through OCIO (OIIO's
colorconvert, which releases the GIL and uses its own threads); resizing is done by
swscale on 16-bit display-referred codes, which is fast and, unlike swscale's float path,
does not clip scene-linear values above 1 before the output transform has run.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .colour import colour_step, convert
from .fastpath import derive_display
from .video import scale_rgb
from ..model import Resolution
from .fit import Fit

log = logging.getLogger(__name__)

__all__ = ["fit_display", "place", "DisplayConverter", "to_display", "DisplayImage", "quantize", "quantize16",
           "write_image_limited", "write_rgb8"]


def place(codes16: np.ndarray, fit: Fit) -> np.ndarray:
    """The fit's window (16-bit display codes) → the 8-bit target picture.

    Resized by swscale in display space (the way video scalers work) to the placement,
    then padded with black.
    """
    px, py, pw, ph = fit.placement
    if (pw, ph) == (codes16.shape[1], codes16.shape[0]):
        placed = ((codes16.astype(np.uint32) + 128) // 257).astype(np.uint8)
    else:
        placed = scale_rgb(codes16, Resolution(pw, ph), to8=True)
    if (pw, ph) == (fit.target.width, fit.target.height):
        return placed
    canvas = np.zeros((fit.target.height, fit.target.width, 3), np.uint8)
    canvas[py:py + ph, px:px + pw] = placed
    return canvas


def fit_display(buf: Any, fit: Fit, *, src: str, dst: str, config: str, exposure: float = 0.0,
                scene_linear: str = "", clamp: bool = True,
                shot: str | None = None) -> tuple[np.ndarray, "DisplayImage"]:
    """A plate frame (an OIIO ImageBuf) → the fitted 8-bit display picture, through OCIO.

    The kept window is converted at the plate's resolution, with statistics of what fell
    outside [0, 1], kept at 16 bits and then placed (see ``place``).
    """
    shown = to_display(buf, window=fit.window, src=src, dst=dst, config=config, exposure=exposure,
                       scene_linear=scene_linear, clamp=clamp, shot=shot)
    return place(quantize16(shown.pixels), fit), shown


class DisplayConverter:
    """Plate space → 16-bit display codes, frame after frame (proxies).

    Uses the OCIO-derived, verified fast path when the transform allows it (see
    fastpath.derive_display), else OCIO on every frame. Always clamps to [0, 1].
    """

    def __init__(self, config: str, src: str, dst: str, *, shot: str | None = None) -> None:
        self.config, self.src, self.dst, self.shot = config, src, dst, shot
        self.fast = derive_display(config, src, dst) if src != dst else None

    def codes16(self, buf: Any, window: tuple[int, int, int, int], out: np.ndarray | None = None) -> np.ndarray:
        """The window of ``buf`` as (h, w, 3) uint16 display codes (into ``out`` if given)."""
        import OpenImageIO as oiio

        x, y, w, h = window
        roi = oiio.ROI(x, x + w, y, y + h, 0, 1, 0, 3)
        if self.fast is None:
            codes = to_display(buf, window=window, src=self.src, dst=self.dst, config=self.config,
                               shot=self.shot, stats=False, codes16=True).pixels
            if out is None:
                return codes
            out[...] = codes
            return out
        kind = oiio.HALF if buf.spec().format == oiio.TypeDesc(oiio.HALF) else oiio.FLOAT
        return self.fast.apply(buf.get_pixels(kind, roi).reshape(h, w, 3), out=out)

    def step(self, **extra: Any) -> dict[str, Any]:
        method = self.fast.step() if self.fast else {"method": "OCIO on every frame"}
        return colour_step(self.config, self.src, self.dst, **method, **extra)


@dataclass(frozen=True)
class DisplayImage:
    """A display-referred image (float32, or uint16 codes), with what happened on the way."""

    pixels: np.ndarray
    clipped_fraction: float
    nonfinite: int


def to_display(buf: Any, *, src: str, dst: str, config: str, window: tuple[int, int, int, int] | None = None,
               exposure: float = 0.0, scene_linear: str = "", clamp: bool = True, shot: str | None = None,
               stats: bool = True, codes16: bool = False) -> DisplayImage:
    """Plate space → display space through OCIO, with an exposure gain in scene-linear.

    ``buf`` is an OIIO ImageBuf (RGB); ``window`` (x, y, w, h) limits the work to that part.
    The gain (2**exposure) is applied in ``scene_linear`` (the config's scene_linear role),
    so the plate is converted there first when it is not already in it. NaN and infinities
    become 0. ``clamp`` clips to [0, 1] (otherwise the 8-bit quantiser saturates what is
    outside); ``stats`` counts what was outside [0, 1] and what was not finite. ``codes16``
    returns clamped, rounded uint16 codes instead of floats (no stats).
    """
    import OpenImageIO as oiio

    if window is not None:
        x, y, w, h = window
        roi = oiio.ROI(x, x + w, y, y + h, 0, 1, 0, 3)
    else:
        roi = oiio.ROI(buf.roi.xbegin, buf.roi.xend, buf.roi.ybegin, buf.roi.yend, 0, 1, 0, 3)
    if exposure:
        lin_space = scene_linear or src
        buf = convert(buf, src, lin_space, config, roi=roi, shot=shot)
        buf = oiio.ImageBufAlgo.mul(buf, float(2.0 ** exposure))
        src = lin_space
    out = convert(buf, src, dst, config, roi=roi, shot=shot)
    if codes16:
        return DisplayImage(out.get_pixels(oiio.UINT16).reshape(roi.height, roi.width, 3), 0.0, 0)
    result = out.get_pixels(oiio.FLOAT).reshape(roi.height, roi.width, 3)
    nonfinite = outside = 0
    if stats:
        nonfinite = int(result.size - np.count_nonzero(np.isfinite(result)))
        outside = int(np.count_nonzero((result < 0.0) | (result > 1.0)))
    if clamp:
        np.fmax(result, 0.0, out=result)  # fmax/fmin also turn NaN into the bound
        np.fmin(result, 1.0, out=result)
    elif nonfinite or not stats:
        np.nan_to_num(result, copy=False, nan=0.0, posinf=0.0, neginf=0.0)
    return DisplayImage(result, float(outside) / max(1, result.size), nonfinite)


def quantize(pixels: np.ndarray) -> np.ndarray:
    """[0, 1] floats → uint8 with rounding (values outside saturate)."""
    scaled = np.clip(pixels, 0.0, 1.0) * 255.0
    scaled += 0.5
    return scaled.astype(np.uint8)


def quantize16(pixels: np.ndarray) -> np.ndarray:
    """[0, 1] floats → uint16 with rounding (values outside saturate)."""
    scaled = np.clip(pixels, 0.0, 1.0) * 65535.0
    scaled += 0.5
    return scaled.astype(np.uint16)


def write_rgb8(path: Path, rgb: np.ndarray, *, fmt: str = "png", quality: int = 95,
               attributes: dict[str, Any] | None = None) -> int:
    """Write an (H, W, 3) uint8 image as PNG or JPEG; returns the byte size."""
    import OpenImageIO as oiio

    height, width = rgb.shape[:2]
    spec = oiio.ImageSpec(width, height, 3, oiio.UINT8)
    if fmt == "png":
        spec.attribute("png:compressionLevel", 4)
    else:
        spec.attribute("compression", f"jpeg:{quality}")
        spec.attribute("CompressionQuality", quality)
    spec.attribute("oiio:ColorSpace", "sRGB")
    for key, value in (attributes or {}).items():
        spec.attribute(key, value)
    out = oiio.ImageOutput.create(str(path))
    if out is None or not out.open(str(path), spec):
        raise OSError(f"cannot write {path}: {oiio.geterror()}")
    try:
        if not out.write_image(np.ascontiguousarray(rgb)):
            raise OSError(f"cannot write {path}: {out.geterror()}")
    finally:
        out.close()
    return path.stat().st_size


def write_image_limited(stem: Path, rgb: np.ndarray, max_bytes: int,
                        qualities: tuple[int, ...] = (95, 92, 88, 84, 80, 75, 70, 60),
                        ) -> tuple[Path, int, dict[str, Any]]:
    """PNG if it fits in ``max_bytes``, else the best JPEG quality that fits.

    Returns (path, bytes, record). Raises ValueError if nothing fits.
    """
    png = stem.parent / f"{stem.name}.png"
    size = write_rgb8(png, rgb, fmt="png")
    if size <= max_bytes:
        return png, size, {"format": "png", "bytes": size}
    png.unlink()
    jpg = stem.parent / f"{stem.name}.jpg"
    for quality in qualities:
        size = write_rgb8(jpg, rgb, fmt="jpeg", quality=quality)
        if size <= max_bytes:
            return jpg, size, {"format": "jpeg", "quality": quality, "bytes": size,
                               "why": f"PNG over the {max_bytes} byte limit"}
    jpg.unlink()
    raise ValueError(f"even a JPEG at quality {qualities[-1]} is over {max_bytes} bytes")
