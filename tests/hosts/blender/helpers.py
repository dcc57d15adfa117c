"""Small builders shared by the Blender tests: plates in the VSE and versions in a store layout."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from shotloop.model import FrameRange, Resolution, ReviewStatus, Version
from tests.media_fixtures import make_exr_plate

from .conftest import add_image_strip


def plate_strip(scene: Any, root: Path, name: str, first: int, last: int, *, frame_start: int,
                channel: int = 1, trim: tuple[int, int] = (0, 0)) -> Any:
    """An ACEScg EXR plate strip; ``trim`` frames hidden at head and tail."""
    pattern = make_exr_plate(root / "plates" / name, f"{name}_plate", first, last, 32, 18)
    strip = add_image_strip(scene, name, pattern, first, last, channel=channel, frame_start=frame_start)
    strip.frame_offset_start, strip.frame_offset_end = trim
    strip.colorspace_settings.name = "ACEScg"
    return strip


def make_version(root: Path, shot: str, label: str, number: int, first: int, last: int, *,
                 rgb: tuple[float, float, float] = (0.5, 0.25, 0.125), fps: float = 24.0,
                 job_id: str = "", review: ReviewStatus = ReviewStatus.PENDING) -> Version:
    """A published-looking version folder <root>/<shot>/<label>/vNNN with flat-colour EXRs."""
    folder = root / shot / label / f"v{number:03d}"
    name = f"{shot}_{label}_v{number:03d}"
    frames = make_exr_plate(folder, name, first, last, 32, 18, rgb_first=rgb, rgb_last=rgb)
    return Version(shot=shot, label=label, number=number, path=str(folder), frames=frames,
                   frame_range=FrameRange(first, last), fps=fps, resolution=Resolution(32, 18),
                   colorspace="ACEScg", job_id=job_id, review=review)
