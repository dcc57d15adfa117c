"""Collect: selected movie / image strips → Shots with their place in the VSE cut."""
from __future__ import annotations

import json
from fractions import Fraction

import opentimelineio as otio
import pytest

from shotloop.errors import PlateInvalid
from shotloop.model import rate_fraction
from tests.media_fixtures import make_exr_plate, make_h264_clip

from .conftest import add_image_strip, bpy, fresh_scene, submodule

collect = submodule("collect")
imprint = submodule("imprint")

RATES = {"23.976": (24, 1.001, Fraction(24000, 1001)), "25": (25, 1.0, Fraction(25))}


@pytest.fixture(params=sorted(RATES))
def cut(request, ext, tmp_path):
    """Plate sh010 (EXR 1001-1020, trimmed 2/3) then movie sh020 on channel 1, a marker."""
    fps, base, exact = RATES[request.param]
    scene = fresh_scene(fps, base)
    pattern = make_exr_plate(tmp_path / "plates", "sh010_plate", 1001, 1020, 64, 36)
    plate = add_image_strip(scene, "sh010", pattern, 1001, 1020, channel=1, frame_start=1)
    plate.frame_offset_start, plate.frame_offset_end = 2, 3  # shows 1003..1017 at 3..17
    plate.colorspace_settings.name = "ACEScg"
    movie_path = make_h264_clip(tmp_path / "movies" / "sh020.mp4", 24, 64, 36, exact)
    movie = scene.sequence_editor.strips.new_movie(name="sh020", filepath=str(movie_path), channel=1,
                                                   frame_start=18)
    movie.frame_offset_start = 4  # shows pictures 4..23 at 22..41
    scene.timeline_markers.new("sky pops", frame=25)
    return scene, plate, movie, pattern, movie_path, exact


def test_image_and_movie_strips_become_shots(cut):
    scene, plate, movie, pattern, movie_path, exact = cut
    found = collect.collect(scene, [plate, movie])
    assert found.errors == [] and found.warnings == []
    a, b = (s.shot for s in found.selections)
    assert (a.name, a.source, a.frame_range.first, a.frame_range.last) == ("sh010", pattern, 1003, 1017)
    assert rate_fraction(a.fps) == exact and (a.resolution.width, a.resolution.height) == (64, 36)
    assert a.colorspace == "ACEScg" and a.is_sequence
    assert (b.name, b.source, b.frame_range.first, b.frame_range.last) == ("sh020", str(movie_path), 4, 23)
    assert b.colorspace == "sRGB Encoded Rec.709 (sRGB)" and not b.is_sequence
    assert a.shot_id and b.shot_id and a.shot_id != b.shot_id
    assert json.loads(plate["shotloop"])["shot_id"] == a.shot_id  # imprinted on the strip


def test_the_vse_is_the_cut(cut):
    scene, plate, movie, *_ = cut
    found = collect.collect(scene, [plate, movie])
    ea, eb = (s.edit for s in found.selections)
    assert (ea.edit_range.first, ea.edit_range.last) == (3, 17)
    assert (ea.source_range.first, ea.source_range.last) == (1003, 1017)
    assert ea.handles == (2, 3) and ea.handles_clamped  # only 2 and 3 frames of plate around the cut
    assert [(n.name, n.side, n.edit_range.first, n.edit_range.last) for n in ea.neighbours] == [("sh020", "after", 22, 41)]
    assert (eb.edit_range.first, eb.edit_range.last) == (22, 41)
    assert eb.handles == (4, 0)
    assert [(m.name, m.frame) for m in eb.markers] == [("sky pops", 25)] and ea.markers == ()
    assert ea.track == "Channel 1" and ea.timeline == scene.name
    snippet = otio.adapters.read_from_string(eb.otio_snippet, "otio_json")
    assert [c.name for c in snippet.find_clips()] == ["sh010", "sh020"]


def test_selection_is_read_from_the_scene(cut):
    scene, plate, movie, *_ = cut
    for strip in scene.sequence_editor.strips_all:
        strip.select = False
    movie.select = True
    assert [s.shot.name for s in collect.collect(scene).selections] == ["sh020"]


def test_strips_that_cannot_be_sent_each_get_an_error(vse, tmp_path):
    ed = vse.sequence_editor
    colour_strip = ed.strips.new_effect(name="slate", type="COLOR", channel=2, frame_start=1, length=10)
    missing = ed.strips.new_movie(name="gone", filepath=str(tmp_path / "gone.mp4"), channel=3, frame_start=1)
    pattern = make_exr_plate(tmp_path / "p", "bad name", 1, 3, 16, 16)
    spaced = add_image_strip(vse, "bad name", pattern, 1, 3, channel=4, frame_start=1)
    found = collect.collect(vse, [colour_strip, missing, spaced])
    assert found.selections == []
    assert all(isinstance(e, PlateInvalid) for e in found.errors)
    assert [(e.shot, e.field) for e in found.errors] == [
        ("slate", "shot.source"), ("gone", "shot.source"), ("bad name", "shot.name")]
    assert "Fix:" in found.errors[0].message


def test_held_frames_beyond_the_media_are_refused(vse, tmp_path):
    pattern = make_exr_plate(tmp_path / "p", "sh030", 1, 5, 16, 16)
    strip = add_image_strip(vse, "sh030", pattern, 1, 5, channel=1, frame_start=10)
    strip.frame_final_start = 8  # two held frames before the media
    with pytest.raises(PlateInvalid, match="beyond its media"):
        collect.shot_of(vse, strip)


def test_a_split_copy_gets_its_own_id_a_rename_keeps_it(vse, tmp_path):
    pattern = make_exr_plate(tmp_path / "p", "sh040", 1, 20, 16, 16)
    strip = add_image_strip(vse, "sh040", pattern, 1, 20, channel=1, frame_start=1)
    first_id = collect.shot_of(vse, strip)[0].shot_id
    right = strip.split(frame=11, split_method="SOFT")
    right_shot = collect.shot_of(vse, right)[0]
    assert right_shot.shot_id != first_id and right_shot.name == right.name
    assert collect.shot_of(vse, strip)[0].shot_id == first_id
    strip.name = "sh040_renamed"
    again = collect.shot_of(vse, strip)[0]
    assert (again.shot_id, again.name) == (first_id, "sh040")  # the store still knows it as sh040


def test_movie_at_another_rate_is_flagged(vse, tmp_path):
    path = make_h264_clip(tmp_path / "m30.mp4", 6, 32, 32, 30)
    strip = vse.sequence_editor.strips.new_movie(name="sh050", filepath=str(path), channel=1, frame_start=1)
    found = collect.collect(vse, [strip])
    assert found.selections and "30 fps" in found.warnings[0]


def test_sound_strips_are_skipped_silently(vse, tmp_path):
    path = make_h264_clip(tmp_path / "m.mp4", 6, 32, 32, 24)
    sound = vse.sequence_editor.strips.new_sound(name="snd", filepath=str(path), channel=2, frame_start=1)
    found = collect.collect(vse, [sound])
    assert (found.selections, found.errors) == ([], [])
    assert bpy.context.scene == vse
