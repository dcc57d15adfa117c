"""Collecting shots from a Nuke script: Reads, other nodes, colour, fps, the linked cut."""
from __future__ import annotations

import os

import pytest

from shotloop.model import Recipe
from tests.media_fixtures import make_exr_plate


@pytest.fixture
def host(nk):
    from shotloop_nuke.host import NukeHost

    return NukeHost()


@pytest.mark.parametrize("fps", [23.976, 25.0])
def test_selected_reads_become_shots_with_range_fps_format_and_colour(nk, host, tmp_path, fps):
    pattern = make_exr_plate(tmp_path, "sh010_plate", 1001, 1012, 64, 36)
    nk.root()["fps"].setValue(fps)
    nk.root()["colorManagement"].setValue("OCIO")
    nk.root()["OCIO_config"].setValue("aces_1.2")
    nk.root()["workingSpaceLUT"].setValue("ACES - ACEScg")
    read = nk.nodes.Read(file=pattern.replace("####", "%04d"), first=1001, last=1010)
    read["colorspace"].setValue("ACES - ACEScg")
    other = nk.nodes.Read(file=pattern, first=1003, last=1012)
    for node in (read, other):
        node.setSelected(True)
    shots = {s.node_id: s for s in host.selected_shots()}
    first = shots[read.name()].shot
    assert first.name == "sh010_plate" and first.source == pattern.replace("####", "%04d")
    assert (first.frame_range.first, first.frame_range.last) == (1001, 1010)
    assert first.fps == pytest.approx(fps) and str(first.resolution) == "64x36"
    assert first.colorspace == "ACEScg"  # Nuke's ACES 1.x name sent as the ACES CG config's own
    second = shots[other.name()].shot
    assert second.frame_range.first == 1003 and second.source == pattern.replace("####", "%04d")
    assert second.colorspace == "ACEScg"  # "default" for EXR: the working space
    assert not any(s.needs_render for s in shots.values())


def test_default_colorspace_follows_nuke_default_management(nk, host, tmp_path):
    pattern = make_exr_plate(tmp_path, "plate", 1, 2, 32, 18)
    read = nk.nodes.Read(file=pattern, first=1, last=2)
    selection = host.collect([read]).selections[0]
    assert selection.shot.colorspace == "Linear Rec.709 (sRGB)"  # nuke-default "linear"


def test_relative_and_tcl_paths_are_evaluated_against_the_project(nk, host, tmp_path, monkeypatch):
    make_exr_plate(tmp_path / "plates", "sh020", 1, 3, 32, 18)
    monkeypatch.setenv("SHOW_PLATES", "plates")
    nk.root()["project_directory"].setValue(str(tmp_path))
    read = nk.nodes.Read(file="[getenv SHOW_PLATES]/sh020.####.exr", first=1, last=3)
    shot = host.collect([read]).selections[0].shot
    assert shot.source == os.path.join(str(tmp_path), "plates", "sh020.%04d.exr")
    assert str(shot.resolution) == "32x18"


def test_bad_reads_are_reported_and_others_still_collected(nk, host, tmp_path):
    empty = nk.nodes.Read()
    good = nk.nodes.Read(file=make_exr_plate(tmp_path, "ok", 1, 2, 32, 18), first=1, last=2)
    viewer = nk.allNodes("Viewer")[0]
    collected = host.collect([empty, good, viewer])
    assert [s.node_id for s in collected.selections] == [good.name()]
    assert len(collected.errors) == 1 and collected.errors[0].field == "file"


def test_other_nodes_are_planned_as_renders_named_after_their_read(nk, host, tmp_path):
    nk.root()["fps"].setValue(25.0)
    read = nk.nodes.Read(file=make_exr_plate(tmp_path, "sh030", 11, 20, 48, 24), first=11, last=20)
    grade = nk.nodes.Merge2(inputs=[read])
    constant = nk.nodes.Constant()
    selections = {s.node_id: s for s in host.collect([grade, constant], tag="t1").selections}
    merged = selections[grade.name()]
    assert merged.needs_render and merged.shot.name == "sh030"
    assert (merged.shot.frame_range.first, merged.shot.frame_range.last) == (11, 20)
    assert str(merged.shot.resolution) == "48x24" and merged.shot.source.endswith("sh030.####.exr")
    alone = selections[constant.name()].shot
    assert alone.name == constant.name() and (alone.frame_range.first, alone.frame_range.last) == (1, 100)


def test_linked_cut_gives_edit_context_and_the_cut_shot_name(nk, host, tmp_path):
    import opentimelineio as otio

    from shotloop.publish.run import new_context, run_pass
    from shotloop_nuke.publish import CollectNukeShots

    pattern = make_exr_plate(tmp_path / "plates", "A001_C002", 1001, 1024, 64, 36)
    rate = 25.0
    timeline = otio.schema.Timeline(name="reel1")
    track = otio.schema.Track(name="V1")
    timeline.tracks.append(track)
    for index, name in enumerate(("sh005", "sh010", "sh020")):
        ref = otio.schema.ImageSequenceReference(
            target_url_base=str(tmp_path / "plates") + "/", name_prefix=f"{'A001_C002' if index == 1 else name}.",
            name_suffix=".exr", start_frame=1001, frame_zero_padding=4, rate=rate,
            available_range=otio.opentime.TimeRange(otio.opentime.RationalTime(1001, rate),
                                                    otio.opentime.RationalTime(24, rate)))
        track.append(otio.schema.Clip(name=name, media_reference=ref, source_range=otio.opentime.TimeRange(
            otio.opentime.RationalTime(1005, rate), otio.opentime.RationalTime(12, rate))))
    cut = tmp_path / "cut.otio"
    otio.adapters.write_to_file(timeline, str(cut))
    nk.root()["fps"].setValue(rate)
    read = nk.nodes.Read(file=pattern, first=1001, last=1024)
    selections = host.collect([read]).selections
    context = new_context(nuke_selections=selections, recipe=Recipe(model="gen4_turbo"), cut_path=str(cut),
                          fps=rate, store_root=str(tmp_path / "store"), batch="b1")
    run_pass(context, [CollectNukeShots])
    (request,) = context.data["requests"]
    assert request.shot.name == "sh010" and request.edit is not None
    assert request.edit.track == "V1" and request.edit.rate == rate
    assert request.store_root == str(tmp_path / "store") and request.batch == "b1"
    assert [n.name for n in request.edit.neighbours] == ["sh005", "sh020"]
    assert context.data["request_sources"] == [read.name()]
