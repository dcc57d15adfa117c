"""Helpers for the edit tests: cuts, versions and media written into tmp_path."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

import opentimelineio as otio
import pytest
from opentimelineio.opentime import RationalTime as RT
from opentimelineio.opentime import TimeRange as TR

from shotloop.edit import urls
from shotloop.model import FrameRange, Resolution, ReviewStatus, Version
from tests.media_fixtures import make_exr_plate, make_h264_clip


def otio_json(item) -> dict:
    """Serialised OTIO as plain data, for readable diffs in assertions."""
    return json.loads(otio.adapters.write_to_string(item, "otio_json"))


def movie_clip(name: str, path: str, source: tuple[int, int], available: tuple[int, int] | None,
               rate: float = 24) -> otio.schema.Clip:
    """A clip on a movie; ``source``/``available`` are (first frame, frame count)."""
    ref = otio.schema.ExternalReference(
        target_url=urls.path_to_url(path) if path.startswith("/") else path,
        available_range=TR(RT(available[0], rate), RT(available[1], rate)) if available else None)
    return otio.schema.Clip(name=name, media_reference=ref,
                            source_range=TR(RT(source[0], rate), RT(source[1], rate)))


def sequence_clip(name: str, folder: Path, prefix: str, source: tuple[int, int],
                  available: tuple[int, int], rate: float = 24) -> otio.schema.Clip:
    ref = otio.schema.ImageSequenceReference(
        target_url_base=urls.join_url_dir(urls.path_to_url(str(folder))), name_prefix=prefix,
        name_suffix=".exr", start_frame=available[0], rate=rate, frame_zero_padding=4,
        available_range=TR(RT(available[0], rate), RT(available[1], rate)))
    return otio.schema.Clip(name=name, media_reference=ref,
                            source_range=TR(RT(source[0], rate), RT(source[1], rate)))


@pytest.fixture
def make_version(tmp_path: Path) -> Callable[..., Version]:
    """Publish-like version folders with real EXR frames and an MP4 review movie."""

    def make(shot: str, number: int, first: int, last: int, *,
             status: ReviewStatus = ReviewStatus.PENDING, label: str = "gen", movie: bool = True,
             created_at: float | None = None, note: str = "", seed: int = 7) -> Version:
        folder = tmp_path / "store" / shot / label / f"v{number:03d}"
        name = f"{shot}_{label}_v{number:03d}"
        pattern = make_exr_plate(folder, name, first, last, 64, 36)
        mov = ""
        if movie:
            mov = str(make_h264_clip(folder / f"{name}.mp4", last - first + 1, 64, 36, 24))
        return Version(shot=shot, label=label, number=number, path=str(folder), frames=pattern,
                       frame_range=FrameRange(first, last), fps=24.0,
                       resolution=Resolution(64, 36), movie=mov, model="gen4_turbo", seed=seed,
                       review=status, note=note,
                       created_at=float(number if created_at is None else created_at))

    return make


@pytest.fixture
def review_case(tmp_path: Path, make_version):
    """A cut (sh010 EXR plate, dissolve, sh020 movie plate, gap, sh030 without takes) and
    versions: sh010 v001 approved + v002 newer; sh020 v001 + v002 (newest, active)."""
    plates = tmp_path / "plates"
    make_exr_plate(plates / "sh010", "sh010_plate", 1001, 1064, 64, 36)
    make_h264_clip(plates / "sh020_plate.mp4", 40, 64, 36, 24)
    tl = otio.schema.Timeline(name="edit_v002", global_start_time=RT(86400, 24))
    sh010 = sequence_clip("sh010", plates / "sh010", "sh010_plate.", (1009, 48), (1001, 64))
    sh010.markers.append(otio.schema.Marker(name="check edge", marked_range=TR(RT(1020, 24), RT(0, 24))))
    sh020 = movie_clip("sh020", str(plates / "sh020_plate.mp4"), (1001, 24), (995, 40))
    sh030 = movie_clip("sh030", str(plates / "sh030_plate.mp4"), (0, 12), (0, 12))
    tl.tracks.append(otio.schema.Track(name="V1", children=[
        sh010, otio.schema.Transition(in_offset=RT(4, 24), out_offset=RT(4, 24)), sh020,
        otio.schema.Gap(duration=RT(6, 24)), sh030]))
    tl.tracks.append(otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio))
    cut_path = tmp_path / "edit_v002.otio"
    otio.adapters.write_to_file(tl, str(cut_path))
    versions = [
        make_version("sh010", 1, 1001, 1064, status=ReviewStatus.APPROVED, note="hero", seed=11),
        make_version("sh010", 2, 1001, 1064, seed=12),
        make_version("sh020", 1, 993, 1032, movie=True, seed=21),
        make_version("sh020", 2, 993, 1032, seed=22),
    ]
    return cut_path, versions
