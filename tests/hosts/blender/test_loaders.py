"""Versions as strips: placement, visibility, switching, A/B, review colours, update, remove."""
from __future__ import annotations

import json
import os

import pytest

from shotloop.host import CONTAINER_SCHEMA, Container, VersionRef
from shotloop.model import ReviewStatus

from .conftest import bpy, submodule
from .helpers import make_version, plate_strip

loaders = submodule("loaders")
imprint = submodule("imprint")
collect = submodule("collect")


@pytest.fixture
def shot(vse, tmp_path):
    """sh010: plate 1001-1020 trimmed 2/3 at frame 1 → shows 1003..1017 at timeline 3..17."""
    strip = plate_strip(vse, tmp_path, "sh010", 1001, 1020, frame_start=1, trim=(2, 3))
    source = collect.shot_of(vse, strip)[0]
    return vse, strip, source, tmp_path / "store"


def container_for(source) -> Container:
    return Container("", source.name, "gen", 0, loader=loaders.LOADER_NAME, source_id=source.shot_id)


def visible(scene):
    return sorted(s.name for s in scene.sequence_editor.strips_all if not s.mute)


def test_version_lands_above_its_source_frame_exactly(shot):
    scene, strip, source, store = shot
    v1 = make_version(store, "sh010", "gen", 1, 995, 1025)  # the plate's range with 8-frame handles
    loader = loaders.VseStripLoader(scene)
    name = loader.load(container_for(source), VersionRef.of(v1), colorspace=v1.colorspace)
    take = scene.sequence_editor.strips_all[name]
    assert name == "sh010_gen_v001" and take.channel == 2 and take.type == "IMAGE"
    assert (take.frame_final_start, take.frame_final_end) == (strip.frame_final_start, strip.frame_final_end)
    for frame in (3, 10, 17):  # the take shows the plate's frame number at every timeline frame
        plate_file = strip.strip_elem_from_frame(frame).filename
        take_file = take.strip_elem_from_frame(frame).filename
        assert take_file.split(".")[-2] == plate_file.split(".")[-2]
    assert take.colorspace_settings.name == "ACEScg"
    data = json.loads(take["shotloop"])
    assert data["schema"] == CONTAINER_SCHEMA and data["source_id"] == source.shot_id
    assert (data["shot"], data["label"], data["version"], data["owner"]) == ("sh010", "gen", 1, name)
    assert not any(k in take["shotloop"] for k in ("http", "token", "key_"))
    assert visible(scene) == ["sh010", "sh010_gen_v001"]


def test_only_the_current_version_is_visible_and_switching_is_in_place(shot):
    scene, strip, source, store = shot
    loader = loaders.VseStripLoader(scene)
    v1, v2 = (make_version(store, "sh010", "gen", n, 1003, 1017) for n in (1, 2))
    loader.load(container_for(source), VersionRef.of(v1))
    loader.load(container_for(source), VersionRef.of(v2))
    ed = scene.sequence_editor
    assert (ed.strips_all["sh010_gen_v001"].channel, ed.strips_all["sh010_gen_v002"].channel) == (2, 3)
    assert visible(scene) == ["sh010", "sh010_gen_v002"]
    count = len(ed.strips_all)
    loader.switch(container_for(source), VersionRef.of(v1))
    assert visible(scene) == ["sh010", "sh010_gen_v001"] and len(ed.strips_all) == count
    assert imprint.read_source(strip).current == {"gen": 1}
    assert loader.load(container_for(source), VersionRef.of(v1)) == "sh010_gen_v001"  # idempotent
    assert len(ed.strips_all) == count


def test_ab_shows_the_plate_then_the_take_again(shot):
    scene, strip, source, store = shot
    loader = loaders.VseStripLoader(scene)
    loader.load(container_for(source), VersionRef.of(make_version(store, "sh010", "gen", 1, 1003, 1017)))
    loader.show_source(source.shot_id, True)
    assert visible(scene) == ["sh010"]
    loader.show_source(source.shot_id, False)
    assert visible(scene) == ["sh010", "sh010_gen_v001"]


def test_review_colours_the_strips(shot):
    scene, strip, source, store = shot
    loader = loaders.VseStripLoader(scene)
    for n in (1, 2, 3):
        loader.load(container_for(source), VersionRef.of(make_version(store, "sh010", "gen", n, 1003, 1017)))
    loader.set_review(source.shot_id, "gen", 1, ReviewStatus.APPROVED, "hero")
    loader.set_review(source.shot_id, "gen", 2, ReviewStatus.REJECTED, "melty")
    ed = scene.sequence_editor
    tags = [ed.strips_all[f"sh010_gen_v00{n}"].color_tag for n in (1, 2, 3)]
    assert tags == [loaders.TAG_APPROVED, loaders.TAG_REJECTED, loaders.TAG_LATEST]
    assert ed.strips_all["sh010_gen_v001"].shotloop_take.note == "hero"
    loader.set_review(source.shot_id, "gen", 2, ReviewStatus.PENDING, "")
    assert ed.strips_all["sh010_gen_v002"].color_tag == loaders.TAG_OUTDATED


def test_neighbouring_takes_share_a_channel(vse, tmp_path):
    a = plate_strip(vse, tmp_path, "sh010", 1001, 1012, frame_start=1)
    b = plate_strip(vse, tmp_path, "sh020", 1001, 1012, frame_start=13)
    store = tmp_path / "store"
    for strip in (a, b):
        src = collect.shot_of(vse, strip)[0]
        v = make_version(store, src.name, "gen", 1, 993, 1020)  # handles overhang the neighbour
        loaders.VseStripLoader(vse).load(container_for(src), VersionRef.of(v))
    ed = vse.sequence_editor
    ta, tb = ed.strips_all["sh010_gen_v001"], ed.strips_all["sh020_gen_v001"]
    assert (ta.channel, tb.channel) == (2, 2)
    assert (ta.frame_final_start, ta.frame_final_end, tb.frame_final_start, tb.frame_final_end) == (1, 13, 13, 25)


def test_update_repoints_the_strip_and_remove_falls_back(shot):
    scene, strip, source, store = shot
    loader = loaders.VseStripLoader(scene)
    v1, v2 = (make_version(store, "sh010", "gen", n, 1003, 1017) for n in (1, 2))
    name = loader.load(container_for(source), VersionRef.of(v1))
    _, container = imprint.find_container(scene, json.loads(scene.sequence_editor.strips_all[name]["shotloop"])["container_id"])
    loader.update(container, VersionRef.of(v2))
    take = scene.sequence_editor.strips_all["sh010_gen_v002"]
    assert os.path.samefile(bpy.path.abspath(take.directory), v2.path)
    assert take.strip_elem_from_frame(3).filename == "sh010_gen_v002.1003.exr"
    assert (take.frame_final_start, take.frame_final_end) == (3, 18)
    third = make_version(store, "sh010", "gen", 3, 1003, 1017)
    loader.load(container_for(source), VersionRef.of(third))
    _, c3 = next((s, c) for s, c in imprint.stack(scene, source.shot_id) if c.version == 3)
    loader.remove(c3)
    assert "sh010_gen_v003" not in scene.sequence_editor.strips_all
    assert imprint.read_source(strip).current == {"gen": 2}
    assert visible(scene) == ["sh010", "sh010_gen_v002"]


def test_missing_frames_are_an_artist_error(shot):
    scene, strip, source, store = shot
    v = make_version(store, "sh010", "gen", 1, 1003, 1017)
    gone = VersionRef(v.shot, v.label, 9, v.frames.replace("v001", "v009"), 1003, 1017)
    with pytest.raises(loaders.VersionMissing, match="no frames"):
        loaders.VseStripLoader(scene).load(container_for(source), gone)


def test_a_duplicated_take_is_left_to_the_artist(shot):
    scene, strip, source, store = shot
    loader = loaders.VseStripLoader(scene)
    name = loader.load(container_for(source), VersionRef.of(make_version(store, "sh010", "gen", 1, 1003, 1017)))
    take = scene.sequence_editor.strips_all[name]
    take.split(frame=10, split_method="SOFT")
    assert [s.name for s, _ in imprint.stack(scene, source.shot_id)] == [name]


def test_render_shows_the_current_take(shot, tmp_path):
    """The pixels the Sequencer renders come from the take on view, then from the plate (A/B)."""
    scene, strip, source, store = shot
    loader = loaders.VseStripLoader(scene)
    loader.load(container_for(source), VersionRef.of(make_version(store, "sh010", "gen", 1, 1003, 1017, rgb=(0.5, 0.0, 0.0))))
    loader.load(container_for(source), VersionRef.of(make_version(store, "sh010", "gen", 2, 1003, 1017, rgb=(0.0, 0.0, 0.5))))
    scene.render.resolution_x, scene.render.resolution_y = 32, 18
    scene.render.image_settings.file_format = "OPEN_EXR"
    scene.render.image_settings.color_depth = "32"

    def pixel(tag: str) -> tuple[float, ...]:
        scene.frame_start = scene.frame_end = 10
        scene.render.filepath = str(tmp_path / tag / "f.####")
        bpy.ops.render.render(animation=True)
        image = bpy.data.images.load(str(tmp_path / tag / "f.0010.exr"))
        try:
            return tuple(round(v, 2) for v in image.pixels[:3])
        finally:
            bpy.data.images.remove(image)

    r, g, b = pixel("v2")  # ACEScg blue, rendered in linear Rec.709
    assert b > 0.45 and r < 0.0
    loader.set_current(source.shot_id, "gen", 1)
    r, g, b = pixel("v1")  # ACEScg red
    assert r > 0.7 and b < 0.0
    loader.show_source(source.shot_id, True)
    r, g, b = pixel("plate")  # the plate: about (0.12, 0.11, 0.17) ACEScg at frame 1010
    assert 0.05 < r < 0.3 and 0.05 < b < 0.3
