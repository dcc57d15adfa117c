"""The review timeline and its EDL compared with reviewed fixtures in tests/data/edit.

A failure shows a readable diff of the serialised OTIO. When a change is intended, rebuild
the fixtures with ``golden_review()`` below and review the diff before committing.
"""
import json
from pathlib import Path

import opentimelineio as otio
from opentimelineio.opentime import RationalTime as RT
from opentimelineio.opentime import TimeRange as TR

from shotloop.edit.export import edl_text
from shotloop.edit.read import read_cut_string
from shotloop.edit.review import build_review, build_takes_layout
from shotloop.model import FrameRange, Resolution, ReviewStatus, Version

DATA = Path(__file__).resolve().parents[2] / "data" / "edit"


def golden_review() -> otio.schema.Timeline:
    tl = otio.schema.Timeline(name="golden", global_start_time=RT(86400, 24))
    clip = otio.schema.Clip(name="sh010", source_range=TR(RT(1009, 24), RT(24, 24)),
                            media_reference=otio.schema.ExternalReference(
                                target_url="file:///show/plates/sh010.mov",
                                available_range=TR(RT(1001, 24), RT(48, 24))))
    clip.markers.append(otio.schema.Marker(name="edge", marked_range=TR(RT(1012, 24), RT(0, 24))))
    tl.tracks.append(otio.schema.Track(name="V1", children=[
        clip, otio.schema.Gap(duration=RT(6, 24)),
        otio.schema.Clip(name="sh020", source_range=TR(RT(0, 24), RT(12, 24)))]))
    cut = read_cut_string(otio.adapters.write_to_string(tl, "otio_json"), "otio_json", name="golden.otio")

    def version(number: int, status: ReviewStatus) -> Version:
        folder = f"/show/shotloop/sh010/gen/v{number:03d}"
        return Version(shot="sh010", label="gen", number=number, path=folder,
                       frames=f"{folder}/sh010_gen_v{number:03d}.####.exr", frame_range=FrameRange(1001, 1040),
                       fps=24.0, resolution=Resolution(1920, 1080), movie=f"{folder}/sh010_gen_v{number:03d}.mp4",
                       model="gen4_turbo", seed=100 + number, review=status, created_at=float(number))

    return build_review(cut, [version(1, ReviewStatus.APPROVED), version(2, ReviewStatus.PENDING)])


def test_review_timeline_matches_the_fixture():
    got = json.loads(otio.adapters.write_to_string(golden_review(), "otio_json"))
    assert got == json.loads((DATA / "review_golden.otio").read_text())


def test_takes_layout_matches_the_fixture():
    got = json.loads(otio.adapters.write_to_string(build_takes_layout(golden_review()), "otio_json"))
    assert got == json.loads((DATA / "takes_golden.otio").read_text())


def test_review_edl_matches_the_fixture():
    assert edl_text(golden_review()).splitlines() == (DATA / "review_golden.edl").read_text().splitlines()
