"""Clips → Shot + EditContext: frame-exact ranges, handles and clamping, neighbours,
markers, media resolution and the OTIO snippet."""
import json
import re
from pathlib import Path

import opentimelineio as otio
import pytest
from opentimelineio.opentime import RationalTime as RT
from opentimelineio.opentime import TimeRange as TR

from shotloop.edit.read import read_cut
from shotloop.edit.shots import shots_from_cut
from shotloop.errors import EditInvalid
from shotloop.model import Resolution

from .conftest import movie_clip, sequence_clip


def cut_of(tmp_path: Path, *items, tracks=None, start=RT(86400, 24), name="edit") -> object:
    tl = otio.schema.Timeline(name=name, global_start_time=start)
    tl.tracks.append(otio.schema.Track(name="V1", children=list(items)))
    for extra in tracks or ():
        tl.tracks.append(extra)
    path = tmp_path / f"{name}.otio"
    otio.adapters.write_to_file(tl, str(path))
    return read_cut(path)


def test_handles_clamped_to_the_media_and_reported(tmp_path):
    cut = cut_of(
        tmp_path,
        movie_clip("sh010", "/show/sh010.mov", (1005, 48), (1001, 120)),   # 4 frames of head
        movie_clip("sh020", "/show/sh020.mov", (1100, 16), (1001, 120)),   # 5 frames of tail
        movie_clip("sh030", "/show/sh030.mov", (10, 5), None),             # nothing known
    )
    sh010, sh020, sh030 = (s.edit for s in shots_from_cut(cut))
    assert (sh010.handles, sh010.handles_requested, sh010.handles_clamped) == ((4, 8), (8, 8), True)
    assert sh010.range_with_handles.first == 1001 and sh010.range_with_handles.last == 1060
    assert (sh020.handles, sh020.handles_clamped) == ((8, 5), True)
    assert (sh030.handles, sh030.handles_clamped) == ((8, 8), False)
    notes = shots_from_cut(cut)[0].notes
    assert any("head handle clamped to 4 of 8" in n for n in notes)


def test_handles_configurable_and_validated(tmp_path):
    cut = cut_of(tmp_path, movie_clip("sh010", "/show/sh010.mov", (1005, 48), (1001, 120)))
    assert shots_from_cut(cut, handles=0)[0].edit.handles == (0, 0)
    assert shots_from_cut(cut, handles=(2, 12))[0].edit.handles == (2, 12)
    with pytest.raises(EditInvalid):
        shots_from_cut(cut, handles=-1)


def test_ranges_with_transitions_and_gaps(tmp_path):
    dissolve = otio.schema.Transition(in_offset=RT(6, 24), out_offset=RT(4, 24))
    cut = cut_of(
        tmp_path,
        movie_clip("sh010", "/show/a.mov", (1009, 48), (1001, 200)),
        dissolve,
        movie_clip("sh020", "/show/b.mov", (1001, 24), (900, 200)),
        otio.schema.Gap(duration=RT(12, 24)),
        movie_clip("sh030", "/show/c.mov", (1001, 10), (1001, 10)),
    )
    shots = shots_from_cut(cut)
    got = [(s.name, s.edit.edit_range.first, s.edit.edit_range.last, s.edit.edit_timecode) for s in shots]
    assert got == [("sh010", 86400, 86447, "01:00:00:00"),
                   ("sh020", 86448, 86471, "01:00:02:00"),
                   ("sh030", 86484, 86493, "01:00:03:12")]
    sh010, sh020, sh030 = (s.edit for s in shots)
    # The dissolve needs 4 more tail frames of sh010 and 6 more head frames of sh020.
    assert (sh010.transition_frames, sh010.handles) == ((0, 4), (8, 12))
    assert (sh020.transition_frames, sh020.handles) == ((6, 0), (14, 8))
    assert (sh030.handles, sh030.handles_clamped) == ((0, 0), True)


def test_neighbours_skip_gaps_and_transitions(tmp_path):
    cut = cut_of(
        tmp_path,
        movie_clip("sh010", "/show/a.mov", (0, 10), None),
        otio.schema.Gap(duration=RT(5, 24)),
        movie_clip("sh020", "/show/b.mov", (0, 10), None),
        otio.schema.Transition(in_offset=RT(2, 24), out_offset=RT(2, 24)),
        movie_clip("sh030", "/show/c.mov", (0, 10), None),
        movie_clip("sh040", "/show/d.mov", (0, 10), None),
    )
    shots = {s.name: s.edit for s in shots_from_cut(cut)}
    assert [(n.name, n.side, n.edit_range.first, n.media) for n in shots["sh020"].neighbours] == \
        [("sh010", "before", 86400, "/show/a.mov"), ("sh030", "after", 86425, "/show/c.mov")]
    assert [n.name for n in shots["sh010"].neighbours] == ["sh020"]
    wide = {s.name: s.edit for s in shots_from_cut(cut, neighbours=2)}
    assert [n.name for n in wide["sh030"].neighbours] == ["sh010", "sh020", "sh040"]


def test_markers_from_clip_and_track_in_record_frames(tmp_path):
    clip = movie_clip("sh010", "/show/a.mov", (1009, 48), (1001, 120))
    clip.markers.append(otio.schema.Marker(name="hands melt", marked_range=TR(RT(1020, 24), RT(6, 24)),
                                           color="ORANGE", comment="regen, less motion"))
    other = movie_clip("sh020", "/show/b.mov", (0, 24), None)
    track_marker = otio.schema.Marker(name="music hit", marked_range=TR(RT(50, 24), RT(0, 24)),
                                      metadata={"shotloop": {"note": "cut on the beat"}})
    tl_track = otio.schema.Track(name="V1", children=[clip, other])
    tl_track.markers.append(track_marker)
    tl = otio.schema.Timeline(name="m", global_start_time=RT(86400, 24))
    tl.tracks.append(tl_track)
    path = tmp_path / "m.otio"
    otio.adapters.write_to_file(tl, str(path))
    sh010, sh020 = (s.edit for s in shots_from_cut(read_cut(path)))
    assert [(m.name, m.frame, m.note, m.color) for m in sh010.markers] == \
        [("hands melt", 86411, "regen, less motion", "ORANGE")]
    assert [(m.name, m.frame, m.note) for m in sh020.markers] == [("music hit", 86450, "cut on the beat")]


def test_media_at_another_rate_is_counted_at_the_timeline_rate(tmp_path):
    clip = otio.schema.Clip(name="hfr", source_range=TR(RT(200, 48), RT(96, 48)),
                            media_reference=otio.schema.ExternalReference(
                                target_url="file:///show/hfr.mov", available_range=TR(RT(0, 48), RT(400, 48))))
    edit = shots_from_cut(cut_of(tmp_path, clip))[0].edit
    assert (edit.rate, edit.source_range.first, edit.source_range.count, edit.edit_range.count) == \
        (24.0, 100, 48, 48)


def test_image_sequence_plate_frames_and_names(tmp_path):
    folder = tmp_path / "plates" / "sh010"
    clip = sequence_clip("A001C003_sh010_plate", folder, "sh010_plate.", (1005, 40), (1001, 48))
    clip.metadata["shotloop"] = {"id": "node-42", "resolution": "2048x858", "colorspace": "ACES2065-1"}
    cs = shots_from_cut(cut_of(tmp_path, clip), shot_pattern=r"(?P<shot>sh\d+)")[0]
    assert cs.name == "sh010" and cs.shotloop_id == "node-42" and cs.shot.shot_id == "node-42"
    assert (cs.shot.frame_range.first, cs.shot.frame_range.last) == (1005, 1044)
    assert cs.shot.source == str(folder / "sh010_plate.####.exr")
    assert cs.shot.resolution == Resolution(2048, 858) and cs.resolution_known
    assert cs.shot.colorspace == "ACES2065-1"
    assert not cs.media_exists
    (folder).mkdir(parents=True)
    (folder / "sh010_plate.1005.exr").write_bytes(b"x")
    assert shots_from_cut(cut_of(tmp_path, clip.clone(), name="again"))[0].media_exists


def test_audio_tracks_and_unnamed_clips(tmp_path):
    audio = otio.schema.Track(name="A1", kind=otio.schema.TrackKind.Audio,
                              children=[movie_clip("dialogue", "/show/a.wav", (0, 48), None)])
    unnamed = movie_clip("", "/show/plates/sh050_bg.mov", (0, 12), None)
    anonymous = otio.schema.Clip(source_range=TR(RT(0, 24), RT(12, 24)))
    shots = shots_from_cut(cut_of(tmp_path, unnamed, anonymous, tracks=[audio]))
    assert [s.name for s in shots] == ["sh050_bg", "V1_002"]


def test_snippet_is_otio_with_the_neighbours(tmp_path):
    cut = cut_of(
        tmp_path,
        movie_clip("sh010", "plates/a.mov", (0, 10), None),
        otio.schema.Gap(duration=RT(5, 24)),
        movie_clip("sh020", "/show/b.mov", (0, 10), None),
        movie_clip("sh030", "/show/c.mov", (0, 10), None),
        movie_clip("sh040", "/show/d.mov", (0, 10), None),
    )
    edit = shots_from_cut(cut)[1].edit
    snippet = otio.adapters.read_from_string(edit.otio_snippet, "otio_json")
    assert snippet.global_start_time == RT(86400, 24)
    items = list(snippet.tracks[0])
    assert [type(i).__name__ for i in items] == ["Clip", "Gap", "Clip", "Clip"]
    assert [i.metadata["shotloop"]["role"] for i in items if isinstance(i, otio.schema.Clip)] == \
        ["before", "shot", "after"]
    # Record time of the shot inside the snippet equals its record time in the cut.
    shot_clip = items[2]
    start = shot_clip.range_in_parent().start_time + snippet.global_start_time
    assert start.to_frames() == edit.edit_range.first
    # Relative media became an absolute file URL.
    assert items[0].media_reference.target_url == "file://" + str(tmp_path / "plates" / "a.mov")
    assert json.loads(edit.otio_snippet)["OTIO_SCHEMA"].startswith("Timeline")
    assert shots_from_cut(cut, snippets=False)[0].edit.otio_snippet == ""


def test_shot_names_from_metadata_win(tmp_path):
    clip = movie_clip("A001C003", "/show/x.mov", (0, 10), None)
    clip.metadata["shotloop"] = {"shot": "sh099"}
    assert shots_from_cut(cut_of(tmp_path, clip), shot_pattern=re.compile(r"C(\d+)"))[0].name == "sh099"
