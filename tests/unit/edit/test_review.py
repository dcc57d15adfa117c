"""The review timeline: every take as a named media reference, the approved (else newest)
active, ShotLoop metadata under one key, and the one-track-per-take layout."""
from pathlib import Path

import opentimelineio as otio

from shotloop.edit import urls
from shotloop.edit.read import read_cut
from shotloop.edit.review import build_review, build_takes_layout, pick_active, write_review
from shotloop.model import ReviewStatus

from .conftest import otio_json


def clips_by_name(timeline):
    return {c.name: c for c in timeline.find_clips()}


def test_takes_as_references_with_the_approved_one_active(review_case):
    cut_path, versions = review_case
    review = build_review(read_cut(cut_path), versions)
    clips = clips_by_name(review)
    sh010, sh020, sh030 = clips["sh010"], clips["sh020"], clips["sh030"]
    assert list(sh010.media_references()) == [
        "plate", "sh010_gen_v001", "sh010_gen_v001_movie", "sh010_gen_v002", "sh010_gen_v002_movie"]
    assert sh010.active_media_reference_key == "sh010_gen_v001"           # approved beats newer
    assert sh020.active_media_reference_key == "sh020_gen_v002"           # else the newest
    assert list(sh030.media_references()) == ["DEFAULT_MEDIA"] and "shotloop" not in sh030.metadata
    # The cut itself is unchanged: same ranges, same positions.
    assert sh010.source_range == read_cut(cut_path).timeline.find_clips()[0].source_range

    seq = sh010.media_reference
    assert isinstance(seq, otio.schema.ImageSequenceReference)
    assert (seq.name_prefix, seq.name_suffix, seq.start_frame, seq.frame_zero_padding) == \
        ("sh010_gen_v001.", ".exr", 1001, 4)
    # The cut's first source frame shows version frame 1009, as it showed plate frame 1009.
    assert seq.frame_for_time(sh010.source_range.start_time) == 1009
    first = urls.url_to_path(seq.target_url_for_image_number(0))
    assert Path(first).is_file() and first.endswith("sh010_gen_v001.1001.exr")
    assert seq.number_of_images_in_sequence() == 64

    movie = sh020.media_references()["sh020_gen_v002_movie"]
    assert Path(urls.url_to_path(movie.target_url)).is_file()
    # sh020's plate frame 1001 is at media time 1001; the version starts 8 frames earlier.
    assert movie.available_range.start_time.value == 993


def test_metadata_under_one_key(review_case):
    cut_path, versions = review_case
    review = build_review(read_cut(cut_path), versions)
    data = otio_json(clips_by_name(review)["sh010"])["metadata"]["shotloop"]
    v1, v2 = versions[0], versions[1]
    assert {k: data[k] for k in ("shot", "active", "label", "version", "seed", "model", "status", "notes")} == {
        "shot": "sh010", "active": "sh010_gen_v001", "label": "gen", "version": 1, "seed": 11,
        "model": "gen4_turbo", "status": "approved", "notes": "hero"}
    assert data["takes"] == [
        {"key": "sh010_gen_v001", "shot": "sh010", "label": "gen", "version": 1, "seed": 11,
         "model": "gen4_turbo", "status": "approved", "note": "hero", "frames": v1.frames,
         "movie": v1.movie, "movie_key": "sh010_gen_v001_movie", "job_id": ""},
        {"key": "sh010_gen_v002", "shot": "sh010", "label": "gen", "version": 2, "seed": 12,
         "model": "gen4_turbo", "status": "pending", "note": "", "frames": v2.frames,
         "movie": v2.movie, "movie_key": "sh010_gen_v002_movie", "job_id": ""},
    ]
    assert data["markers"] == ["check edge"]
    ref_meta = otio_json(clips_by_name(review)["sh010"])["media_references"]["sh010_gen_v002_movie"]["metadata"]
    assert ref_meta["shotloop"]["kind"] == "movie" and ref_meta["shotloop"]["status"] == "pending"
    exported = otio_json(review)["metadata"]["shotloop"]
    assert exported["schema"] == "shotloop.review/1" and exported["cut"] == "edit_v002"
    assert exported["exported"]["sh020"] == {
        "active": "sh020_gen_v002", "markers": [],
        "takes": {"sh020_gen_v001": {"note": "", "status": "pending"},
                  "sh020_gen_v002": {"note": "", "status": "pending"}}}


def test_prefer_movie_and_version_sources(review_case):
    cut_path, versions = review_case
    by_shot = {}
    for v in versions:
        by_shot.setdefault(v.shot, []).append(v)
    for source in (by_shot, lambda shot: by_shot.get(shot, [])):
        review = build_review(read_cut(cut_path), source, prefer="movie")
        assert clips_by_name(review)["sh020"].active_media_reference_key == "sh020_gen_v002_movie"
    assert pick_active(versions[2:]).number == 2


def test_takes_layout_one_track_per_take(review_case):
    cut_path, versions = review_case
    review = build_review(read_cut(cut_path), versions)
    layout = build_takes_layout(review)
    assert [t.name for t in layout.tracks] == ["cut", "gen_v001", "gen_v002"]
    cut_track, v1, v2 = layout.tracks
    assert all(c.active_media_reference_key == "plate" for c in cut_track.find_clips()
               if "plate" in c.media_references())
    positions = {c.name: c.range_in_parent().start_time for c in cut_track.find_clips()}
    for track in (v1, v2):
        kinds = [type(i).__name__ for i in track]
        assert kinds == ["Clip", "Clip", "Gap", "Gap"]  # sh010, sh020, the gap, sh030 (no takes)
        for clip in track.find_clips():
            assert len(clip.media_references()) == 1
            shot = clip.metadata["shotloop"]["shot"]
            assert clip.range_in_parent().start_time == positions[shot]
            assert clip.source_range == clips_by_name(review)[shot].source_range
    assert [c.name for c in v1.find_clips()] == ["sh010_gen_v001", "sh020_gen_v001"]
    assert [c.metadata["shotloop"]["approved"] for c in v1.find_clips()] == [True, False]
    assert [c.metadata["shotloop"]["active"] for c in v2.find_clips()] == [False, True]
    assert layout.duration() == cut_track.duration()
    flat = otio.algorithms.flatten_stack(layout.tracks)
    assert [c.name for c in flat.find_clips()][:2] == ["sh010_gen_v002", "sh020_gen_v002"]


def test_write_review_files_open_with_plain_opentimelineio(review_case, tmp_path):
    cut_path, versions = review_case
    files = write_review(cut_path, versions, tmp_path / "review")
    assert [p.name for p in files] == ["edit_v002_review.otio", "edit_v002_review.otioz",
                                       "edit_v002_review.edl", "edit_v002_takes.otio"]
    review = otio.adapters.read_from_file(str(files[0]))
    assert review.is_equivalent_to(build_review(read_cut(cut_path), versions))
    takes = otio.adapters.read_from_file(str(files[3]))
    assert [t.name for t in takes.tracks] == ["cut", "gen_v001", "gen_v002"]
    assert otio.adapters.read_from_file(str(files[1])).find_clips()[0].active_media_reference_key == \
        "sh010_gen_v001"
    # Files are derived: writing again replaces them.
    assert write_review(cut_path, versions, tmp_path / "review") == files
    assert ReviewStatus(review.find_clips()[0].metadata["shotloop"]["status"]) is ReviewStatus.APPROVED
