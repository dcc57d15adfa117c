"""Small real images for provider tests (written with OpenImageIO, no ShotLoop code)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import OpenImageIO as oiio


def write_image(path: Path, width: int = 64, height: int = 36, seed: int = 0) -> Path:
    """A noisy 8-bit RGB image in the format the extension names (png, jpg, webp)."""
    pixels = np.random.default_rng(seed).integers(0, 255, (height, width, 3), dtype=np.uint8)
    out = oiio.ImageOutput.create(str(path))
    assert out is not None, oiio.geterror()
    assert out.open(str(path), oiio.ImageSpec(width, height, 3, "uint8"))
    assert out.write_image(pixels)
    out.close()
    return path
