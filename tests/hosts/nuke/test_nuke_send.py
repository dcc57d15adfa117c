"""Sending from Nuke without blocking: submit, progress, cancel, render-first, errors, secrets."""
from __future__ import annotations

import re
import threading

import pytest

import nuke_fake
from shotloop.model import JobState, Recipe
from tests.hosts.nuke.conftest import nk_both_policies as nk  # noqa: F401 - every test under both policies
from tests.media_fixtures import make_exr_plate, plate_rgb

RECIPE = Recipe(model="gen4_turbo", prompt="rain", duration=5, seed=7)


def _send(nk, nodes, recipe=RECIPE):
    from shotloop_nuke import runtime
    from shotloop_nuke.send import send_selected

    for node in nk.allNodes():
        node.setSelected(False)
    for node in nodes:
        node.setSelected(True)
    return send_selected(runtime.host(), recipe)


@pytest.mark.parametrize("fps", [23.976, 25.0])
def test_send_reads_submits_one_job_per_shot_with_the_script_settings(nk, scripted_session, fake_agent, pump,
                                                                        tmp_path, fps):
    nk.root()["fps"].setValue(fps)
    reads = [nk.nodes.Read(file=make_exr_plate(tmp_path, name, 1001, 1024, 64, 36), first=1001, last=1024)
             for name in ("sh010", "sh020")]
    nk.scriptSaveAs(str(tmp_path / "comp.nk"), overwrite=1)
    batch = _send(nk, reads)
    assert fake_agent.submitted == []  # returned at once: the send runs on the worker thread
    pump(lambda: scripted_session.batch_status(batch) != "sending", what="jobs submitted")
    assert scripted_session.errors == []
    assert {r.shot.name for r in fake_agent.submitted} == {"sh010", "sh020"}
    for request in fake_agent.submitted:
        assert request.shot.fps == pytest.approx(fps) and request.recipe == RECIPE
        assert request.store_root == str(tmp_path / "shotloop") and request.batch == batch
    assert "submit" not in threading.current_thread().name
    assert {v["shot"] for v in scripted_session.awaited_jobs.values()} == {"sh010", "sh020"}
    record = [r for r in nuke_fake.progress_log() if r.title.startswith("ShotLoop")][-1]
    assert record.title == "ShotLoop: 2 shots" and record.threads == {threading.current_thread().name}


def test_progress_follows_the_feed_and_closes_when_done(nk, scripted_session, fake_agent, pump, tmp_path):
    read = nk.nodes.Read(file=make_exr_plate(tmp_path, "sh010", 1, 24, 32, 18), first=1, last=24)
    batch = _send(nk, [read])
    pump(lambda: scripted_session.awaited_jobs)
    (job_id,) = scripted_session.awaited_jobs
    record = nuke_fake.progress_log()[-1]
    fake_agent.progress(job_id, 0.4, state=JobState.UPLOADING)
    pump(lambda: 40 in record.progress, what="40% shown")
    assert "sh010 uploading 40%" in record.messages[-1]
    fake_agent.publish(job_id)
    pump(lambda: scripted_session.batch_status(batch) == "done")
    import gc

    gc.collect()
    assert record.finished and record.progress[-1] == 100
    assert record.threads == {threading.current_thread().name}  # created and updated on the main thread


def test_cancel_in_the_progress_bar_cancels_the_jobs(nk, scripted_session, fake_agent, pump, tmp_path):
    reads = [nk.nodes.Read(file=make_exr_plate(tmp_path, n, 1, 24, 32, 18), first=1, last=24) for n in ("a1", "b1")]
    batch = _send(nk, reads)
    pump(lambda: scripted_session.batch_status(batch) == "running")
    assert nuke_fake.cancel_progress("ShotLoop") == 1
    pump(lambda: scripted_session.batch_status(batch) == "done", what="batch cancelled")
    assert sorted(c.split(":")[0] for c in fake_agent.calls if c.startswith("cancel")) == ["cancel", "cancel"]
    assert all(j.state is JobState.CANCELLED for j in fake_agent.jobs())
    assert scripted_session.awaited_jobs == {}


def test_other_nodes_are_rendered_first_through_a_temporary_write(nk, scripted_session, fake_agent, pump, tmp_path):
    import OpenImageIO as oiio

    nk.root()["fps"].setValue(25.0)
    read = nk.nodes.Read(file=make_exr_plate(tmp_path, "sh040", 1, 3, 32, 18), first=1, last=3)
    lift = nk.nodes.Constant()
    lift["color"].setValue([0.5, 0.5, 0.5, 0.0])
    comp = nk.nodes.Merge2(inputs=[read, lift])
    comp["operation"].setValue("plus")
    nk.scriptSaveAs(str(tmp_path / "comp.nk"), overwrite=1)
    before = {n.name() for n in nk.allNodes()}
    batch = _send(nk, [comp])
    assert {n.name() for n in nk.allNodes()} == before  # the temporary Write is gone
    assert comp.isSelected() and not read.isSelected()  # the user's selection is untouched
    assert nuke_fake.render_log()[-1]["frames"] == [1, 2, 3]
    pump(lambda: scripted_session.batch_status(batch) == "running")
    (request,) = fake_agent.submitted
    assert request.shot.name == "sh040" and request.shot.source.endswith("sh040.####.exr")
    frame = request.shot.source.replace("####", "0002")
    pixels = oiio.ImageBuf(frame).get_pixels(oiio.FLOAT)
    assert pixels[0, 0, :3].tolist() == pytest.approx([c + 0.5 for c in plate_rgb(2, 1, 3)], abs=2e-3)


def test_nothing_selected_and_invalid_recipes_are_reported(nk, scripted_session, fake_agent, pump, tmp_path):
    from shotloop_nuke.send import NothingToSend

    with pytest.raises(NothingToSend):
        _send(nk, [])
    read = nk.nodes.Read(file=make_exr_plate(tmp_path, "sh050", 1, 24, 32, 18), first=1, last=24)
    batch = _send(nk, [read], Recipe(model="gen4_turbo", duration=42))
    pump(lambda: scripted_session.batch_status(batch) == "done")
    assert fake_agent.submitted == []
    assert any("sh050: recipe.duration 42 s is not offered" in line for line in scripted_session.errors)
    assert ("warning", scripted_session.errors[-1] and f"ShotLoop: {scripted_session.errors[-1]}") in \
        nuke_fake.dialog_log()


def test_failed_jobs_reach_the_artist_as_one_line(nk, scripted_session, fake_agent, pump, tmp_path):
    read = nk.nodes.Read(file=make_exr_plate(tmp_path, "sh060", 1, 24, 32, 18), first=1, last=24)
    batch = _send(nk, [read])
    pump(lambda: scripted_session.awaited_jobs)
    fake_agent.fail(next(iter(scripted_session.awaited_jobs)))
    pump(lambda: scripted_session.batch_status(batch) == "done")
    assert scripted_session.errors[-1] == ("sh060: recipe.prompt the service refused the prompt. "
                                           "Fix: change the prompt")


def test_the_api_key_and_agent_token_never_reach_the_script(nk, scripted_session, fake_agent, pump, tmp_path,
                                                            monkeypatch):
    secret = "key_" + "0123456789abcdef" * 4
    monkeypatch.setenv("RUNWAYML_API_SECRET", secret)
    read = nk.nodes.Read(file=make_exr_plate(tmp_path, "sh070", 1, 24, 32, 18), first=1, last=24)
    nk.scriptSaveAs(str(tmp_path / "comp.nk"), overwrite=1)
    _send(nk, [read])
    pump(lambda: scripted_session.awaited_jobs)
    fake_agent.publish(next(iter(scripted_session.awaited_jobs)))
    pump(lambda: nk.toNode("SL_sh070_gen") is not None)
    nk.scriptSave()
    text = (tmp_path / "comp.nk").read_text()
    assert "shotloop" in text and secret not in text
    assert not re.search(r"key_[0-9a-f]{32,}", text)
    assert "token" not in text.lower()


def test_an_unreachable_agent_is_reported_without_blocking(nk, pump, tmp_path):
    from shotloop.errors import AgentUnavailable
    from tests.hosts.nuke.conftest import install_session

    def refuse():
        raise AgentUnavailable("cannot reach the agent at http://127.0.0.1:9", fix="start `shotloop agent`")

    session = install_session(refuse)
    read = nk.nodes.Read(file=make_exr_plate(tmp_path, "sh080", 1, 24, 32, 18), first=1, last=24)
    batch = _send(nk, [read])
    pump(lambda: session.batch_status(batch) == "done", what="send given up")
    assert session.errors[-1].startswith("cannot reach the agent")
