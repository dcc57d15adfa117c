"""Plates from a host or the CLI matched to the cut's shots, with unmatched reported."""
from pathlib import Path

import opentimelineio as otio
from opentimelineio.opentime import RationalTime as RT

from shotloop.edit.match import match_shots, normalise_source
from shotloop.edit.read import read_cut_string
from shotloop.edit.shots import shots_from_cut
from shotloop.model import FrameRange, Resolution, Shot

from .conftest import movie_clip

EDL = """TITLE: m
FCM: NON-DROP FRAME

001  A001C003 V     C        01:00:10:00 01:00:12:00 01:00:00:00 01:00:02:00
* FROM CLIP NAME:  take_17
* FROM CLIP: /show/plates/sh010/sh010_plate.[1001-1100].exr
002  B002C001 V     C        01:00:10:00 01:00:11:00 01:00:02:00 01:00:03:00
* FROM CLIP NAME:  sh020_bg
003  C003C007 V     C        01:00:10:00 01:00:11:00 01:00:03:00 01:00:04:00
* FROM CLIP NAME:  mystery
004  D004C002 V     C        01:00:10:00 01:00:11:00 01:00:04:00 01:00:05:00
* FROM CLIP NAME:  whatever
"""


def plate(name: str, source: str, shot_id: str = "") -> Shot:
    return Shot(name=name, source=source, frame_range=FrameRange(1001, 1048), fps=24.0,
                resolution=Resolution(1920, 1080), shot_id=shot_id)


def test_match_by_path_name_reel_and_report_leftovers():
    cut = read_cut_string(EDL, "cmx_3600", rate=24, name="m.edl")
    shots = shots_from_cut(cut, snippets=False)
    plates = [
        plate("sh010", "/show/plates/sh010/sh010_plate.%04d.exr"),  # same path, other token
        plate("SH020_BG", "/elsewhere/bg.mov"),                      # clip name, any case
        plate("C003C007", "/show/plates/c3.mov"),                    # reel
        plate("sh999", "/show/plates/sh999.mov"),                    # not in the cut
    ]
    report = match_shots(shots, plates)
    assert [(m.plate.name, m.cut_shot.name, m.by) for m in report.matches] == [
        ("sh010", "take_17", "path"), ("SH020_BG", "sh020_bg", "name"), ("C003C007", "mystery", "reel")]
    assert [c.name for c in report.unmatched_cut] == ["whatever"]
    assert [p.name for p in report.unmatched_plates] == ["sh999"]
    assert not report.complete
    lines = report.lines()
    assert "cut shot without a plate: whatever (V 01:00:04:00)" in lines
    assert "plate not in the cut: sh999 (/show/plates/sh999.mov)" in lines
    assert report.to_data()["unmatched_plates"] == ["sh999"]


def test_shotloop_id_wins_and_a_plate_may_serve_two_cut_shots(tmp_path: Path):
    a = movie_clip("intro", "/show/x.mov", (0, 10), None)
    a.metadata["shotloop"] = {"id": "node-7"}
    b = movie_clip("sh010", "/show/sh010.mov", (0, 10), None)
    c = movie_clip("sh010", "/show/sh010.mov", (20, 10), None)  # the shot used twice
    tl = otio.schema.Timeline(name="t", global_start_time=RT(0, 24))
    tl.tracks.append(otio.schema.Track(children=[a, b, c]))
    text = otio.adapters.write_to_string(tl, "otio_json")
    shots = shots_from_cut(read_cut_string(text, "otio_json"), snippets=False)
    plates = [plate("sh010", "/show/sh010.mov"), plate("sh005", "/nowhere.mov", shot_id="node-7")]
    report = match_shots(shots, plates)
    assert [(m.plate.name, m.cut_shot.name, m.by) for m in report.matches] == [
        ("sh005", "intro", "id"), ("sh010", "sh010", "path"), ("sh010", "sh010", "path")]
    assert report.complete


def test_ambiguous_matches_are_reported():
    cut = read_cut_string(EDL, "cmx_3600", rate=24, name="m.edl")
    shots = shots_from_cut(cut, snippets=False)[1:2]
    report = match_shots(shots, [plate("sh020_bg", "/a.mov"), plate("sh020_bg", "/b.mov")])
    assert len(report.matches) == 1 and report.ambiguous and "sh020_bg" in report.ambiguous[0]


def test_normalise_source_tokens():
    expected = "/show/a/sh010.#.exr"
    for form in ("/show/a/sh010.####.exr", "/show/a/sh010.%04d.exr", "/show/a/sh010.[1001-1100].exr",
                 "file:///show/a/sh010.@@@@.exr", "/show/a/../a/sh010.%d.exr"):
        assert normalise_source(form) == expected
    assert normalise_source("C:\\show\\x.mov") == "C:/show/x.mov"
