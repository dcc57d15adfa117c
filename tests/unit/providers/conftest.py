"""Small real media files and an offline Runway provider for provider unit tests."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from shotloop.providers.runway import RunwayProvider
from shotloop.settings import Profile
from tests.unit.providers.media import write_image


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
