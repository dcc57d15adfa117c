"""Synthetic scene-linear plates for the demo and the tests (no real footage needed).

Each frame is a graded sky gradient with a bright disc that moves across the frame, in
ACEScg half-float EXR, so colour conversions and frame ranges can be checked by eye and by
pixel value.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..sequence import frame_path


def plate_frame(width: int, height: int, frame: int, *, seed: int = 0) -> np.ndarray:
    """One RGB frame (float32, scene-linear) for ``frame`` of a plate."""
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    x = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    hue = (seed % 7) / 7.0
    sky = np.stack([0.05 + 0.25 * (1 - y) + 0.0 * x,
                    0.08 + 0.30 * (1 - y) + 0.05 * hue + 0.0 * x,
                    0.12 + 0.45 * (1 - y) + 0.0 * x], axis=-1)
    cx = 0.15 + 0.7 * ((frame * 0.02 + hue) % 1.0)
    cy = 0.55
    r = ((x - cx) ** 2 * (width / height) ** 2 + (y - cy) ** 2) ** 0.5
    disc = np.clip(1.0 - (r - 0.12) / 0.02, 0.0, 1.0)[..., None]
    light = np.array([4.0, 2.5, 0.8], dtype=np.float32)  # over 1.0: scene-linear highlights
    return (sky * (1 - disc) + light * disc).astype(np.float32)


def write_exr_plate(folder: Path, name: str, first: int, last: int, width: int, height: int,
                    *, seed: int = 0, colorspace: str = "ACEScg") -> str:
    """Write ``<folder>/<name>.####.exr`` for first..last; returns the #### pattern."""
    import OpenImageIO as oiio

    folder.mkdir(parents=True, exist_ok=True)
    pattern = str(folder / f"{name}.####.exr")
    spec = oiio.ImageSpec(width, height, 3, oiio.HALF)
    spec.attribute("compression", "zip")
    spec.attribute("oiio:ColorSpace", colorspace)
    for frame in range(first, last + 1):
        out = oiio.ImageOutput.create(str(frame_path(pattern, frame)))
        out.open(str(frame_path(pattern, frame)), spec)
        out.write_image(plate_frame(width, height, frame, seed=seed))
        out.close()
    return pattern
