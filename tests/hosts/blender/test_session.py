"""What the agent's answers do to the scene (events fed by hand; the e2e tests use the agent)."""
from __future__ import annotations

import json

import pytest

from shotloop import model
from shotloop.client import AgentEvent
from shotloop.errors import AgentUnavailable
from shotloop.model import Job, JobState, Recipe

from .conftest import bpy, submodule
from .helpers import make_version, plate_strip

session_mod = submodule("session")
collect = submodule("collect")
imprint = submodule("imprint")


def _no_agent():
    raise AgentUnavailable("no agent in this test")


@pytest.fixture
def session(ext):
    s = session_mod.Session(_no_agent)
    yield s
    s.close(join_s=2.0)


@pytest.fixture
def sent(vse, tmp_path, session):
    """sh010 listed as sent in job J1 (as the submit answer would add it)."""
    strip = plate_strip(vse, tmp_path, "sh010", 1001, 1012, frame_start=1)
    shot = collect.shot_of(vse, strip)[0]
    job = Job(job_id="J1", shot=shot, recipe=Recipe(model="gen4_turbo"), state=JobState.QUEUED)
    return vse, strip, shot, job, tmp_path / "store"


def event(seq, kind, job_id="J1", **payload):
    return AgentEvent(seq=seq, time=0.0, kind=kind, job_id=job_id, payload=payload)


def test_state_progress_and_published_version_land(sent, session):
    scene, strip, shot, job, store = sent
    session._add_jobs(scene.name, [job])
    session.on_event(event(5, "job.state", state="RUNNING", progress=0.4, remote_status="RUNNING"))
    item = scene.shotloop.jobs[0]
    assert (item.job_id, item.state, round(item.progress, 2), item.shot_id) == ("J1", "RUNNING", 0.4, shot.shot_id)
    v1 = make_version(store, "sh010", "gen", 1, 1001, 1012, job_id="J1")
    session.on_event(event(6, "version.published", version=model.to_dict(v1)))
    session.on_event(event(7, "job.state", state="PUBLISHED", progress=1.0, version=1))
    assert "sh010_gen_v001" in scene.sequence_editor.strips_all
    assert (item.landed, item.version, item.state) == (True, 1, "PUBLISHED")
    assert scene.shotloop.last_event_seq == 7
    session.on_event(event(6, "version.published", version=model.to_dict(v1)))  # replayed: no second strip
    assert len([s for s in scene.sequence_editor.strips_all if s.name.startswith("sh010_gen")]) == 1


def test_events_before_the_submit_answer_are_kept_for_the_job(sent, session):
    scene, strip, shot, job, store = sent
    v1 = make_version(store, "sh010", "gen", 1, 1001, 1012, job_id="J1")
    session.on_event(event(3, "job.state", state="RUNNING", progress=0.5))
    session.on_event(event(4, "version.published", version=model.to_dict(v1)))
    assert "sh010_gen_v001" not in scene.sequence_editor.strips_all
    session._sent(scene.name, [None], [job])
    assert "sh010_gen_v001" in scene.sequence_editor.strips_all
    assert scene.shotloop.jobs[0].landed and "sent 1 of 1" in scene.shotloop.status


def test_review_events_update_every_strip_of_that_version(sent, session):
    scene, strip, shot, job, store = sent
    session._add_jobs(scene.name, [job])
    v1 = make_version(store, "sh010", "gen", 1, 1001, 1012, job_id="J1")
    session.land(v1)
    session.on_event(event(9, "version.review", job_id="", shot="sh010", label="gen", number=1,
                           status="approved", note="ship it"))
    take = scene.sequence_editor.strips_all["sh010_gen_v001"]
    assert (take.shotloop_take.review, take.shotloop_take.note, take.color_tag) == ("approved", "ship it", "COLOR_04")


def test_errors_reach_the_status_line(sent, session):
    scene, *_ = sent
    session.report(AgentUnavailable("cannot reach the agent", fix="start it"))
    assert scene.shotloop.status == "cannot reach the agent. Fix: start it"


def test_failed_job_keeps_its_reason(sent, session):
    scene, strip, shot, job, store = sent
    session._add_jobs(scene.name, [job])
    session.on_event(event(2, "job.state", state="FAILED",
                           error={"code": "task_failed", "message": "sh010: SAFETY.INPUT.TEXT"}))
    item = scene.shotloop.jobs[0]
    assert (item.state, item.message) == ("FAILED", "sh010: SAFETY.INPUT.TEXT")


def test_state_survives_save_and_reload(sent, session, tmp_path):
    scene, strip, shot, job, store = sent
    second = Job(job_id="J2", shot=shot, recipe=Recipe(model="gen4_turbo"), state=JobState.RUNNING)
    session._add_jobs(scene.name, [job, second])
    v1, v2 = (make_version(store, "sh010", "gen", n, 1001, 1012, job_id=j) for n, j in ((1, "J1"), (2, "J2")))
    session.on_event(event(11, "version.published", version=model.to_dict(v1)))
    session.on_event(event(12, "job.state", job_id="J2", state="RUNNING", progress=0.3))
    session.land(v2, job_id="J2")
    submodule("loaders").VseStripLoader(scene).set_current(shot.shot_id, "gen", 1)
    scene.shotloop.jobs[1].landed = False  # J2 still waiting when the file is saved
    path = tmp_path / "edit.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(path))
    bpy.ops.wm.open_mainfile(filepath=str(path))
    scene = bpy.context.scene
    ed = scene.sequence_editor
    takes = {s.name: (s.mute, json.loads(s["shotloop"])["version"]) for s in ed.strips_all if s.name.startswith("sh010_gen")}
    assert takes == {"sh010_gen_v001": (False, 1), "sh010_gen_v002": (True, 2)}
    assert imprint.read_source(ed.strips_all["sh010"]).current == {"gen": 1}
    assert [(j.job_id, j.landed) for j in scene.shotloop.jobs] == [("J1", True), ("J2", False)]
    assert scene.shotloop.last_event_seq == 12 and session_mod.saved_seq() == 12
