"""End to end: the real extension in real bpy, the real agent on the reference service.

Scenes with an EXR image-sequence strip and an H.264 movie strip at 23.976 and 25 fps are
sent from the Sequencer; the tests drive the extension's timer body (timers never fire in
the module build) and assert the version strips, their ranges, visibility, imprint, review,
switching, save / reload and the OTIO export.
"""
from __future__ import annotations

import json
import os
import re
from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest

from tests.media_fixtures import make_h264_clip

from .conftest import bpy, fresh_scene, submodule
from .helpers import plate_strip

pytestmark = pytest.mark.blender

runtime = submodule("runtime")
imprint = submodule("imprint")
RATES = {"23.976": (24, 1.001, Fraction(24000, 1001)), "25": (25, 1.0, Fraction(25))}
# One agent serves the whole test session and its ledger keeps (shot, label, version) unique
# across version stores, so each rate uses its own shot names.
PREFIX = {"23.976": "a", "25": "b"}


def build_edit(tmp_path: Path, rate_key: str):
    """x010: EXR plate 1001-1016 shown 1003-1014 at 1003..; x020: 16-frame movie right after."""
    fps, base, exact = RATES[rate_key]
    p = PREFIX[rate_key]
    scene = fresh_scene(fps, base)
    plate = plate_strip(scene, tmp_path, f"{p}010", 1001, 1016, frame_start=1001, trim=(2, 2))
    clip = make_h264_clip(tmp_path / "movies" / f"{p}020.mp4", 16, 32, 18, exact)
    movie = scene.sequence_editor.strips.new_movie(name=f"{p}020", filepath=str(clip), channel=1,
                                                   frame_start=plate.frame_final_end)
    props = scene.shotloop
    props.endpoint, props.model = "image_to_video", "gen4_turbo"
    props.prompt, props.seed, props.label = "slow push in, dusk", 42, "gen"
    props.store_root = str(tmp_path / "store")
    for strip in scene.sequence_editor.strips_all:
        strip.select = strip.name in (plate.name, movie.name)
    return scene, plate, movie


def landed(scene, count: int) -> bool:
    jobs = scene.shotloop.jobs
    failed = [f"{j.shot}: {j.state} {j.message}" for j in jobs if j.state in ("FAILED", "CANCELLED")]
    assert not failed, failed
    return len(jobs) == count and all(j.landed for j in jobs)


def takes(scene) -> dict[str, tuple]:
    out = {}
    for strip, container in imprint.containers(scene):
        out[strip.name] = (container.shot, container.version, strip.channel, strip.mute,
                           strip.frame_final_start, strip.frame_final_end)
    return out


@pytest.mark.parametrize("rate_key", sorted(RATES))
def test_send_land_review_switch_reload_export(rate_key, ext, agent, tmp_path, pump):
    scene, plate, movie = build_edit(tmp_path, rate_key)
    sh010, sh020 = plate.name, movie.name
    session = runtime.start()
    assert bpy.ops.shotloop.send() == {"FINISHED"}
    pump(session, lambda: landed(bpy.context.scene, 2), timeout_s=180, what="two versions landed")

    jobs = {j.shot: j for j in scene.shotloop.jobs}
    assert {j.state for j in jobs.values()} == {"PUBLISHED"}
    sent = agent.api.job(jobs[sh010].job_id)
    assert Fraction(sent.shot.fps).limit_denominator(1001) == RATES[rate_key][2]
    assert (sent.shot.frame_range.first, sent.shot.frame_range.last) == (1003, 1014)
    assert sent.edit is not None and sent.edit.neighbours[0].name == sh020
    assert (sent.recipe.model, sent.recipe.seed, sent.recipe.prompt) == ("gen4_turbo", 42, "slow push in, dusk")

    found = takes(scene)
    assert found == {
        f"{sh010}_gen_v001": (sh010, 1, 2, False, plate.frame_final_start, plate.frame_final_end),
        f"{sh020}_gen_v001": (sh020, 1, 2, False, movie.frame_final_start, movie.frame_final_end),
    }
    take = scene.sequence_editor.strips_all[f"{sh010}_gen_v001"]
    assert take.strip_elem_from_frame(plate.frame_final_start).filename == f"{sh010}_gen_v001.1003.exr"
    assert os.path.isfile(os.path.join(bpy.path.abspath(take.directory), f"{sh010}_gen_v001.1014.exr"))

    # approve v001 of sh010 with a note, through the panel's operator
    scene.shotloop.note = "hero take"
    source_id = imprint.read_source(plate).shot_id
    assert bpy.ops.shotloop.review(source_id=source_id, label="gen", number=1, status="approved") == {"FINISHED"}
    pump(session, lambda: scene.sequence_editor.strips_all[f"{sh010}_gen_v001"].shotloop_take.review == "approved",
         what="approval reflected")
    assert take.color_tag == "COLOR_04" and take.shotloop_take.note == "hero take"
    assert agent.api.versions(sh010, root=scene.shotloop.store_root)[0].review.value == "approved"

    # a second take of sh010 lands on top and becomes current; switching back is in place
    for strip in scene.sequence_editor.strips_all:
        strip.select = strip.name == sh010
    scene.shotloop.seed = 7
    assert bpy.ops.shotloop.send() == {"FINISHED"}
    pump(session, lambda: landed(scene, 3), timeout_s=180, what="second take landed")
    found = takes(scene)
    assert found[f"{sh010}_gen_v002"][1:4] == (2, 3, False) and found[f"{sh010}_gen_v001"][3] is True
    assert bpy.ops.shotloop.switch(source_id=source_id, label="gen", number=1) == {"FINISHED"}
    found = takes(scene)
    assert (found[f"{sh010}_gen_v001"][3], found[f"{sh010}_gen_v002"][3]) == (False, True)
    assert bpy.ops.shotloop.ab(source_id=source_id) == {"FINISHED"}
    assert all(t[3] for name, t in takes(scene).items() if name.startswith(sh010))
    assert bpy.ops.shotloop.ab(source_id=source_id) == {"FINISHED"}

    # save, reload: the same strips, imprints and visibility; no key in the file
    path = tmp_path / f"edit_{rate_key}.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    before = takes(scene)
    bpy.ops.wm.open_mainfile(filepath=str(path))
    scene = bpy.context.scene
    assert takes(scene) == before
    data = path.read_bytes()
    assert b"shotloop-dev-key" not in data and re.search(rb"key_[0-9a-f]{32}", data) is None

    # the OTIO export carries every take; the approved one is active
    written = timeline_export(scene, tmp_path / "review.otio")
    review = otio.adapters.read_from_file(str(written[0]))
    clip = next(c for c in review.find_clips() if c.name == sh010)
    assert clip.active_media_reference_key == f"{sh010}_gen_v001"
    assert {"plate", f"{sh010}_gen_v001", f"{sh010}_gen_v002"} <= set(clip.media_references())
    layout = otio.adapters.read_from_file(str(written[1]))
    assert {t.name for t in layout.tracks} >= {"gen_v001", "gen_v002"}


def timeline_export(scene, path):
    assert bpy.ops.shotloop.export_otio(filepath=str(path)) == {"FINISHED"}
    return [path, path.with_name(f"{path.stem}_takes.otio")]


RESTART = """
import importlib.util, json, sys, time
import bpy
spec = importlib.util.spec_from_file_location("shotloop_blender", sys.argv[1] + "/__init__.py",
                                              submodule_search_locations=[sys.argv[1]])
ext = importlib.util.module_from_spec(spec)
sys.modules["shotloop_blender"] = ext
spec.loader.exec_module(ext)
ext.register()                                   # as Blender does at start-up
bpy.ops.wm.open_mainfile(filepath=sys.argv[2])   # load_post resumes the jobs of this file
session = sys.modules["shotloop_blender.runtime"].current()
scene = bpy.context.scene
deadline = time.monotonic() + 120
while not all(j.landed for j in scene.shotloop.jobs) and time.monotonic() < deadline:
    session.tick()                               # what the timer does in a Blender with a UI
    time.sleep(0.02)
from shotloop_blender import imprint
out = {"jobs": [(j.state, j.landed, j.version) for j in scene.shotloop.jobs],
       "seq": scene.shotloop.last_event_seq,
       "takes": {s.name: [c.version, s.channel, s.mute, s.frame_final_start, s.frame_final_end]
                 for s, c in imprint.containers(scene)}}
bpy.ops.wm.save_mainfile()
ext.unregister()
print("RESULT" + json.dumps(out))
"""


def test_jobs_still_running_land_after_a_blender_restart(ext, agent, tmp_path, pump):
    """Save while the job runs, quit (no more timer), let the agent finish, start a new
    Blender process on the file: the job resumes from the saved seq and its version lands."""
    import subprocess
    import sys

    scene, plate, movie = build_edit(tmp_path, "25")
    plate.name, movie.name = "c010", "c020"
    for strip in scene.sequence_editor.strips_all:
        strip.select = strip.name == "c010"
    session = runtime.start()
    assert bpy.ops.shotloop.send() == {"FINISHED"}
    pump(session, lambda: len(scene.shotloop.jobs) == 1, what="the submit answer")
    job = scene.shotloop.jobs[0]
    assert not job.landed and job.state != "PUBLISHED"
    path = tmp_path / "running.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    runtime.stop()  # Blender quits: no timer, no feed
    try:
        final = agent.wait_final([job.job_id])[0]
    finally:
        runtime.start()  # this test process goes on with a running extension
    assert final.state.value == "PUBLISHED"

    done = subprocess.run([sys.executable, "-c", RESTART, str(runtime.__file__).rsplit("/", 1)[0], str(path)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("RESULT")), None)
    assert line is not None, done.stdout[-2000:] + done.stderr[-4000:]
    out = json.loads(line[len("RESULT"):])
    assert out["jobs"] == [["PUBLISHED", True, 1]]
    assert out["takes"] == {"c010_gen_v001": [1, 2, False, plate.frame_final_start, plate.frame_final_end]}
    assert out["seq"] > 0
    bpy.ops.wm.open_mainfile(filepath=str(path))  # what the restarted Blender saved
    assert "c010_gen_v001" in bpy.context.scene.sequence_editor.strips_all


def test_cancel_and_replay_from_the_panel(ext, agent, tmp_path, pump):
    scene, plate, movie = build_edit(tmp_path, "25")
    plate.name = "d010"
    for strip in scene.sequence_editor.strips_all:
        strip.select = strip.name == "d010"
    session = runtime.start()
    assert bpy.ops.shotloop.send() == {"FINISHED"}
    pump(session, lambda: landed(scene, 1), timeout_s=180, what="v001 landed")
    source_id = imprint.read_source(plate).shot_id

    # replay v001: same recipe and seed, lands as v002
    assert bpy.ops.shotloop.replay(source_id=source_id, label="gen", number=1) == {"FINISHED"}
    pump(session, lambda: landed(scene, 2), timeout_s=180, what="the replay landed")
    first, second = (agent.api.job(j.job_id) for j in scene.shotloop.jobs)
    assert (second.recipe.seed, second.recipe.prompt, second.version) == (first.recipe.seed, first.recipe.prompt, 2)
    assert "d010_gen_v002" in scene.sequence_editor.strips_all

    # send again and cancel at once: the row says CANCELLED, nothing lands
    assert bpy.ops.shotloop.send() == {"FINISHED"}
    pump(session, lambda: len(scene.shotloop.jobs) == 3, what="the submit answer")
    job_id = scene.shotloop.jobs[2].job_id
    assert bpy.ops.shotloop.job(job_id=job_id, action="CANCEL") == {"FINISHED"}
    pump(session, lambda: scene.shotloop.jobs[2].state in ("CANCELLED", "PUBLISHED"), timeout_s=60,
         what="the cancel answer")
    assert scene.shotloop.jobs[2].state == "CANCELLED"
    assert "d010_gen_v003" not in scene.sequence_editor.strips_all


def test_a_recipe_the_model_refuses_is_reported_per_shot(ext, agent, tmp_path, pump):
    scene, plate, movie = build_edit(tmp_path, "25")
    plate.name, movie.name = "e010", "e020"
    scene.shotloop.prompt = "x" * 1200  # over the model's 1000 characters
    session = runtime.start()
    assert bpy.ops.shotloop.send() == {"FINISHED"}
    pump(session, lambda: len([m for m in session.messages if "recipe.prompt" in m]) == 2,
         what="one prompt error per shot")
    assert {m.split(":")[0] for m in session.messages if "recipe.prompt" in m} == {"e010", "e020"}
    assert len(scene.shotloop.jobs) == 0 and "Fix:" in scene.shotloop.status
