"""BlenderHost against ShotLoop's Host protocol, the operators' polls, and the panels' draw
code run against a recording layout (Blender draws panels only with a UI)."""
from __future__ import annotations

import json

import pytest

from shotloop.host import Container, Host, VersionRef

from .conftest import bpy, submodule
from .helpers import make_version, plate_strip

host_mod = submodule("host")
panels = submodule("panels")
loaders = submodule("loaders")
collect = submodule("collect")
runtime = submodule("runtime")


@pytest.fixture
def shot(vse, tmp_path):
    strip = plate_strip(vse, tmp_path, "sh010", 1001, 1012, frame_start=1)
    strip.select = True
    vse.sequence_editor.active_strip = strip
    return vse, strip, tmp_path / "store"


def test_host_protocol(shot):
    scene, strip, store = shot
    posted = []
    host = host_mod.BlenderHost(posted.append)
    assert isinstance(host, Host) and host.name == "blender"
    (selection,) = host.selected_shots()
    assert selection.node_id == "sh010" and selection.edit is not None and not selection.needs_render
    assert list(host.containers()) == []
    v1 = make_version(store, "sh010", "gen", 1, 1001, 1012)
    name = loaders.VseStripLoader(scene).load(
        Container("", "sh010", "gen", 1, source_id=selection.shot.shot_id), VersionRef.of(v1))
    (container,) = host.containers()
    assert (container.shot, container.version, container.source_id) == ("sh010", 1, selection.shot.shot_id)
    host.imprint(name, Container("fixed-id", "sh010", "gen", 1, source_id=selection.shot.shot_id))
    assert json.loads(scene.sequence_editor.strips_all[name]["shotloop"])["container_id"] == "fixed-id"
    host.call_in_main_thread(lambda: None)
    assert len(posted) == 1


class Recorder:
    """Stands in for bpy.types.UILayout: records calls, checks that drawn properties exist."""

    def __init__(self, log: list) -> None:
        self.log = log

    def __getattr__(self, name):
        def call(*args, **kwargs):
            if name == "prop":
                data, prop = args[0], args[1]
                assert hasattr(data, prop), prop
            if name == "template_list":
                assert hasattr(args[2], args[3]) and hasattr(args[4], args[5])
            if name == "prop":
                self.log.append((name, args[1]))
            elif name == "operator":
                self.log.append((name, args[0]))
            else:
                self.log.append((name, kwargs.get("text", args[0] if args else "")))
            if name == "operator":
                return type("Op", (), {})()  # operator properties are plain attributes here
            return Recorder(self.log)
        return call


def draw(panel_cls, context) -> list:
    log: list = []
    panel_cls.draw(type("P", (), {"layout": Recorder(log)})(), context)
    return log


def test_panels_draw_recipe_jobs_and_versions(shot):
    scene, strip, store = shot
    for panel in (panels.SHOTLOOP_PT_main, panels.SHOTLOOP_PT_recipe, panels.SHOTLOOP_PT_jobs):
        assert panel.poll(bpy.context)
        assert draw(panel, bpy.context)
    recipe = [entry[1] for entry in draw(panels.SHOTLOOP_PT_recipe, bpy.context) if entry[0] == "prop"]
    assert recipe[:7] == ["endpoint", "model", "prompt", "seed", "ratio", "duration", "keyframes"]
    hint = [entry[1] for entry in draw(panels.SHOTLOOP_PT_recipe, bpy.context) if entry[0] == "label"]
    assert hint and "12 frames + handles" in hint[0]
    shot_ = collect.shot_of(scene, strip)[0]
    loader = loaders.VseStripLoader(scene)
    for n in (1, 2):
        loader.load(Container("", "sh010", "gen", n, source_id=shot_.shot_id),
                    VersionRef.of(make_version(store, "sh010", "gen", n, 1001, 1012)))
    versions = draw(panels.SHOTLOOP_PT_versions, bpy.context)
    ops = [entry for entry in versions if entry[0] == "operator"]
    assert sum(1 for e in ops if e[1] == "shotloop.review") == 4  # approve + reject per version
    assert sum(1 for e in ops if e[1] == "shotloop.switch") == 2 and ("operator", "shotloop.ab") in ops


def test_job_rows_draw_progress_cancel_and_retry(shot):
    scene, strip, store = shot
    jobs = scene.shotloop.jobs
    for job_id, state in (("J1", "RUNNING"), ("J2", "FAILED"), ("J3", "PUBLISHED")):
        item = jobs.add()
        item.job_id, item.shot, item.label, item.state, item.progress = job_id, "sh010", "gen", state, 0.5
    rows = {}
    for item in jobs:
        log: list = []
        panels.SHOTLOOP_UL_jobs.draw_item(None, bpy.context, Recorder(log), None, item, 0, None, "", 0)
        rows[item.state] = [e[1] for e in log if e[0] in ("operator", "progress", "label")]
    assert "shotloop.job" in rows["RUNNING"] and "shotloop.job" in rows["FAILED"]
    assert "shotloop.job" not in rows["PUBLISHED"]


def test_operators_need_a_running_extension(shot):
    assert bpy.ops.shotloop.send.poll()
    runtime.stop()
    try:
        assert not bpy.ops.shotloop.send.poll()
    finally:
        runtime.start()


def test_send_without_a_saved_file_or_store_says_what_to_do(shot):
    scene, strip, store = shot
    scene.shotloop.store_root = ""
    with pytest.raises(RuntimeError, match="save the .blend"):
        bpy.ops.shotloop.send()
