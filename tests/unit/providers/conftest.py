"""Small real media files and an offline Runway provider for provider unit tests."""
from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import OpenImageIO as oiio
import pytest

from shotloop.providers.runway import RunwayProvider
from shotloop.settings import Profile


def write_image(path: Path, width: int = 64, height: int = 36, seed: int = 0) -> Path:
    """A noisy 8-bit RGB image in the format the extension names (png, jpg, webp)."""
    pixels = np.random.default_rng(seed).integers(0, 255, (height, width, 3), dtype=np.uint8)
    out = oiio.ImageOutput.create(str(path))
    assert out is not None, oiio.geterror()
    assert out.open(str(path), oiio.ImageSpec(width, height, 3, "uint8"))
    assert out.write_image(pixels)
    out.close()
    return path


@pytest.fixture
def offline_profile() -> Profile:
    """A loopback profile that is never contacted (port 9 is discard; nothing listens)."""
    return Profile(name="offline", kind="runway", base_url="http://127.0.0.1:9", key="none",
                   retry_attempts=2, retry_base_s=0.0)


@pytest.fixture
def provider(offline_profile: Profile) -> RunwayProvider:
    made = RunwayProvider(offline_profile, rng=random.Random(7), sleep=lambda s: None)
    yield made
    made.close()


@pytest.fixture
def keyframe(tmp_path: Path) -> Path:
    return write_image(tmp_path / "sh010_first.png")
