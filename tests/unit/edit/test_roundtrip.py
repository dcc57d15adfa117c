"""Round trip of a review timeline through .otio, .otioz, EDL and FCP 7 XML: the expected
active take and ShotLoop's data come back, and editorial's changes become ReviewChanges."""
import zipfile
from pathlib import Path

import opentimelineio as otio
import pytest
from opentimelineio.opentime import RationalTime as RT
from opentimelineio.opentime import TimeRange as TR

from shotloop.edit.carriers import shotloop_data
from shotloop.edit.export import write_timeline
from shotloop.edit.read import read_cut
from shotloop.edit.review import build_review
from shotloop.edit.roundtrip import ReviewChange, read_review_changes, review_changes
from shotloop.edit.shots import shots_from_cut
from shotloop.errors import EditInvalid
from shotloop.model import ReviewStatus, replace

from .conftest import movie_clip, otio_json


def review_of(review_case):
    cut_path, versions = review_case
    return build_review(read_cut(cut_path), versions), versions, read_cut(cut_path)


def test_otio_round_trip_and_editorial_changes(review_case, tmp_path):
    review, versions, _cut = review_of(review_case)
    path = tmp_path / "review.otio"
    write_timeline(review, path)
    with pytest.raises(EditInvalid):
        write_timeline(review, path)  # no silent overwrite
    back = read_cut(path).timeline
    assert otio_json(back) == otio_json(review)
    assert read_review_changes(path) == []

    clips = {c.name: c for c in back.find_clips()}
    clips["sh020"].active_media_reference_key = "sh020_gen_v001_movie"    # editorial flips a take
    clips["sh010"].markers.append(otio.schema.Marker(                      # and rejects one
        name="REJECT: edges boil", marked_range=TR(RT(1030, 24), RT(0, 24)), comment="see 1030"))
    takes = clips["sh010"].metadata["shotloop"]["takes"]
    takes[1]["status"] = "approved"                                         # metadata status
    takes[1]["note"] = "better hands"
    edited = tmp_path / "review_edited.otio"
    otio.adapters.write_to_file(back, str(edited))

    changes = read_review_changes(edited)
    assert [(c.shot, c.label, c.version, c.status) for c in changes] == [
        ("sh010", "gen", 1, ReviewStatus.REJECTED),
        ("sh010", "gen", 2, ReviewStatus.APPROVED),
        ("sh020", "gen", 1, ReviewStatus.APPROVED),
    ]
    by = {(c.shot, c.version): c for c in changes}
    assert by[("sh010", 1)].note == "edges boil see 1030" and "marker" in by[("sh010", 1)].what
    assert by[("sh010", 2)].note == "better hands" and "takes list" in by[("sh010", 2)].what
    assert "active take" in by[("sh020", 1)].what
    # With the ledger as baseline, a change the ledger already has is not reported again.
    ledger = [replace(v, review=ReviewStatus.APPROVED) if (v.shot, v.number) == ("sh020", 1) else v
              for v in versions]
    assert ("sh020", 1) not in {(c.shot, c.version) for c in review_changes(read_cut(edited).timeline,
                                                                            versions=ledger)}


def test_switching_an_approved_take_puts_it_back_to_pending(review_case, tmp_path):
    review, _versions, _cut = review_of(review_case)
    clip = next(c for c in review.find_clips() if c.name == "sh010")
    clip.active_media_reference_key = "sh010_gen_v002"
    assert review_changes(review) == [
        ReviewChange("sh010", "gen", 1, ReviewStatus.PENDING, "", "sh010_gen_v002 replaced it as the active take"),
        ReviewChange("sh010", "gen", 2, ReviewStatus.APPROVED, "",
                     "editorial made sh010_gen_v002 the active take (was sh010_gen_v001)"),
    ]


def test_otioz_is_self_contained(review_case, tmp_path):
    review, versions, cut = review_of(review_case)
    path = tmp_path / "review.otioz"
    report = write_timeline(review, path, media_root=cut.media_root)
    assert report.missing == ("file://" + str(tmp_path / "plates" / "sh030_plate.mp4"),) or \
        report.missing == (str(tmp_path / "plates" / "sh030_plate.mp4"),)
    names = set(zipfile.ZipFile(path).namelist())
    assert {"version.txt", "content.otio"} <= names
    for v in versions:  # every take travels: all EXR frames and the review movie
        assert {f"media/{v.name}.{f:04d}.exr" for f in v.frame_range.frames()} <= names
        assert f"media/{Path(v.movie).name}" in names
    assert "media/sh010_plate.1001.exr" in names and "media/sh020_plate.mp4" in names

    unpacked = tmp_path / "unpacked"
    back = read_cut(path, extract_to=unpacked)
    clips = {c.name: c for c in back.timeline.find_clips()}
    assert clips["sh010"].active_media_reference_key == "sh010_gen_v001"
    assert clips["sh010"].metadata["shotloop"]["takes"][0]["seed"] == 11
    for key, ref in clips["sh010"].media_references().items():  # inactive takes relinked too
        url = ref.target_url_base if isinstance(ref, otio.schema.ImageSequenceReference) else ref.target_url
        assert url.startswith("media/"), key
    shots = {s.name: s for s in shots_from_cut(back)}
    assert shots["sh010"].media_exists and shots["sh010"].edit.media.startswith(str(unpacked / "media"))
    assert read_review_changes(path, extract_to=tmp_path / "again") == []
    # Plain OTIO reads the bundle too.
    assert len(otio.adapters.read_from_file(str(path)).find_clips()) == 3


def test_otioz_without_frames_packs_the_movies(review_case, tmp_path):
    review, versions, cut = review_of(review_case)
    path = tmp_path / "light.otioz"
    write_timeline(review, path, media_root=cut.media_root, include_frames=False)
    names = zipfile.ZipFile(path).namelist()
    assert not any(n.endswith(".exr") for n in names)
    assert all(f"media/{Path(v.movie).name}" in names for v in versions)


def test_edl_round_trip_carries_shotloop_data(review_case, tmp_path):
    review, versions, _cut = review_of(review_case)
    path = tmp_path / "review.edl"
    write_timeline(review, path)
    text = path.read_text()
    assert text.splitlines()[1] == "FCM: NON-DROP FRAME"
    # The active take, with the frames the event uses (CMX puts the dissolve after the cut).
    assert "sh010_gen_v001.[1009-1052].exr" in text and "sh020_gen_v002.[997-1024].exr" in text
    back = read_cut(path, rate=24)
    clips = [c for c in back.timeline.find_clips()]
    assert [c.name for c in clips] == ["sh010", "sh020", "sh030"]
    data, carrier = shotloop_data(clips[0])
    assert carrier == "edl" and data["active"] == "sh010_gen_v001" and data["seed"] == 11
    assert [t["key"] for t in data["takes"]] == ["sh010_gen_v001", "sh010_gen_v002"]
    assert [t["status"] for t in data["takes"]] == ["approved", "pending"]
    shots = shots_from_cut(back)
    # OTIO centres a dissolve on the cut, CMX starts it there: the 8-frame dissolve now
    # begins 4 frames earlier, but the cut keeps its length and record timecodes.
    assert [(s.edit.edit_timecode, s.edit.edit_range.count) for s in shots] == \
        [("01:00:00:00", 44), ("01:00:01:20", 28), ("01:00:03:06", 12)]
    assert shots[1].edit.transition_frames == (0, 0) and shots[0].edit.transition_frames == (0, 8)
    assert read_review_changes(path, rate=24) == []

    # Editorial relinks sh020 to its first take and marks sh010 in a legacy tool.
    v1_movie = next(v.movie for v in versions if (v.shot, v.number) == ("sh020", 1))
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "TO CLIP:" in line and "sh020_gen_v002" in line)
    lines[at] = f"* TO CLIP: {v1_movie}"  # sh020 is the incoming side of the dissolve
    at = next(i for i, line in enumerate(lines) if "FROM CLIP NAME:  sh010" in line)
    lines.insert(at + 1, "* LOC: 00:00:42:12 GREEN   OK lovely")
    edited = tmp_path / "edited.edl"
    edited.write_text("\n".join(lines) + "\n")
    changes = read_review_changes(edited, rate=24)
    assert [(c.shot, c.version, c.status, c.note) for c in changes] == [
        ("sh010", 1, ReviewStatus.APPROVED, "lovely"),   # already approved: the note is the news
        ("sh020", 1, ReviewStatus.APPROVED, ""),
    ]


def test_edl_at_2997_drop_frame(tmp_path, make_version):
    ntsc = 30000 / 1001
    tl = otio.schema.Timeline(name="df_cut", global_start_time=RT(107892, ntsc))
    tl.tracks.append(otio.schema.Track(name="V1", children=[
        movie_clip("sh010", "/show/a.mov", (1001, 48), (1001, 64), rate=ntsc),
        otio.schema.Gap(source_range=TR(RT(0, ntsc), RT(10, ntsc))),
        movie_clip("sh020", "/show/b.mov", (2000, 24), None, rate=ntsc)]))
    cut_path = tmp_path / "df.otio"
    otio.adapters.write_to_file(tl, str(cut_path))
    review = build_review(read_cut(cut_path), [make_version("sh010", 1, 1001, 1048)])
    path = tmp_path / "df.edl"
    write_timeline(review, path)
    assert path.read_text().splitlines()[1] == "FCM: DROP FRAME"
    cut = read_cut(path, rate=29.97)
    assert cut.drop_frame is True
    shots = shots_from_cut(cut)
    assert [(s.edit.edit_range.first, s.edit.edit_range.count) for s in shots] == [(107892, 48), (107950, 24)]
    assert [s.edit.edit_timecode for s in shots] == ["01:00:00;00", "01:00:01;28"]
    assert shots[0].edit.media.endswith("sh010_gen_v001.####.exr")
    assert read_review_changes(path, rate=29.97) == []


def test_fcp_xml_round_trip(review_case, tmp_path):
    review, _versions, _cut = review_of(review_case)
    path = tmp_path / "review.xml"
    write_timeline(review, path)
    back = read_cut(path)
    clips = {c.name: c for c in back.timeline.find_clips()}
    data, carrier = shotloop_data(clips["sh010"])
    assert carrier == "fcp_xml" and data["active"] == "sh010_gen_v001" and len(data["takes"]) == 2
    # FCP 7 cannot hold image sequences: the active take's movie went instead.
    assert clips["sh010"].media_reference.target_url.endswith("sh010_gen_v001.mp4")
    assert read_review_changes(path) == []


def test_unknown_output_format(review_case, tmp_path):
    review, _versions, _cut = review_of(review_case)
    with pytest.raises(EditInvalid):
        write_timeline(review, tmp_path / "review.aaf")


def test_status_on_a_take_reference_or_the_clip(review_case):
    review, _versions, _cut = review_of(review_case)
    clips = {c.name: c for c in review.find_clips()}
    movie = clips["sh020"].media_references()["sh020_gen_v002_movie"]
    movie.metadata["shotloop"]["status"] = "rejected"
    clips["sh010"].metadata["shotloop"]["notes"] = "grade it warmer"
    changes = review_changes(review)
    assert [(c.shot, c.version, c.status, c.note, c.what) for c in changes] == [
        ("sh010", 1, ReviewStatus.APPROVED, "grade it warmer", "clip notes changed"),
        ("sh020", 2, ReviewStatus.REJECTED, "", "status set to rejected in the movie reference metadata"),
    ]


def test_otio_for_an_older_opentimelineio(review_case, tmp_path):
    review, _versions, _cut = review_of(review_case)
    path = tmp_path / "review_014.otio"
    write_timeline(review, path, otio_version="0.14.0")
    raw = path.read_text()
    assert '"Clip.1"' in raw and '"media_references"' not in raw
    back = read_cut(path).timeline
    sh010 = back.find_clips()[0]
    assert sh010.media_reference.name_prefix == "sh010_gen_v001."   # the active take travelled
    assert [t["key"] for t in sh010.metadata["shotloop"]["takes"]] == ["sh010_gen_v001", "sh010_gen_v002"]
    assert review_changes(back) == []
    with pytest.raises(EditInvalid) as err:
        write_timeline(review, tmp_path / "x.otio", otio_version="0.1.0")
    assert "0.14.0" in err.value.fix
