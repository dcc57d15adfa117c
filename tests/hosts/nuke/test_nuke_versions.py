"""Versions come back as a version stack: load, follow, switch, A/B, review, save/reopen, resume."""
from __future__ import annotations

import json

import pytest

import nuke_fake
from shotloop.model import Recipe
from tests.hosts.nuke.conftest import install_session, nk_both_policies as nk  # noqa: F401 - both policies
from tests.media_fixtures import make_exr_plate, plate_rgb

RECIPE = Recipe(model="gen4_turbo", prompt="fog", duration=5, seed=11)
GREEN, ORANGE, BLUE, RED = 0x4ECD25FF, 0xD84F20FF, 0x2F7FE0FF, 0xB03030FF


def _sent_read(nk, session, pump, tmp_path, name="sh010", first=1, last=6):
    from shotloop_nuke import runtime
    from shotloop_nuke.send import send_selected

    read = nk.nodes.Read(file=make_exr_plate(tmp_path / "plates", name, first, last, 64, 36), first=first, last=last)
    read.setXYpos(200, 300)
    if not nk.root().name().endswith(".nk"):
        nk.scriptSaveAs(str(tmp_path / "comp.nk"), overwrite=1)
    batch = send_selected(runtime.host(), RECIPE, session=session, nodes=[read])
    pump(lambda: session.batch_status(batch) == "running", what="submitted")
    return read, [j for j, v in session.awaited_jobs.items() if v["shot"] == name][0]


def _pixel(nk, node, tmp_path, frame=1):
    import OpenImageIO as oiio

    write = nk.nodes.Write(inputs=[node], file=str(tmp_path / "probe" / "p.####.exr"))
    write["create_directories"].setValue(True)
    nk.execute(write, frame, frame)
    nk.delete(write)
    return oiio.ImageBuf(str(tmp_path / "probe" / f"p.{frame:04d}.exr")).get_pixels(oiio.FLOAT)[0, 0, :3].tolist()


def test_a_published_version_creates_a_stack_beside_its_read(nk, scripted_session, fake_agent, pump, tmp_path):
    read, job = _sent_read(nk, scripted_session, pump, tmp_path)
    fake_agent.publish(job, seed=11)
    stack = pump(lambda: nk.toNode("SL_sh010_gen"), what="stack created")
    assert (stack.xpos(), stack.ypos()) == (read.xpos() + 150, read.ypos())
    container = json.loads(stack["shotloop"].value())
    assert container == {"schema": "shotloop.container/1", "container_id": container["container_id"],
                         "loader": "NukeVersionStack", "shot": "sh010", "label": "gen", "version": 1,
                         "source_id": read.name()}
    assert stack["shotloop"].getFlag(nk.INVISIBLE)
    assert stack["sl_version"].value() == "v001" and stack["tile_color"].value() == GREEN
    assert "seed 11" in stack["sl_info"].value() and "pending" in stack["sl_info"].value()
    version_read = stack.node("v001")
    assert version_read["file"].toScript().endswith("sh010_gen_v001.####.exr")
    assert [version_read[k].value() for k in ("first", "last", "origfirst", "origlast")] == [1, 6, 1, 6]
    assert _pixel(nk, stack, tmp_path) == pytest.approx([0.25, 0.5, 0.75], abs=1e-3)
    assert scripted_session.awaited_jobs == {}
    assert [c.shot for c in scripted_session.host.containers()] == ["sh010"]


def test_new_versions_follow_the_latest_unless_told_not_to(nk, scripted_session, fake_agent, pump, tmp_path):
    _, job = _sent_read(nk, scripted_session, pump, tmp_path)
    fake_agent.publish(job)
    stack = pump(lambda: nk.toNode("SL_sh010_gen"))
    _, job2 = _sent_read(nk, scripted_session, pump, tmp_path, name="sh010")
    fake_agent.publish(job2, rgb=(0.1, 0.2, 0.3))
    pump(lambda: stack["sl_version"].value() == "v002", what="followed v002")
    assert stack["tile_color"].value() == GREEN and stack.node("v001")["tile_color"].value() == ORANGE
    stack["sl_follow"].setValue(False)
    _, job3 = _sent_read(nk, scripted_session, pump, tmp_path, name="sh010")
    fake_agent.publish(job3)
    pump(lambda: "v003" in stack["sl_version"].values())
    assert stack["sl_version"].value() == "v002"
    assert stack["tile_color"].value() == ORANGE and "v003 is newer" in stack["sl_info"].value()
    assert len(nk.allNodes("Group")) == 1


def test_switching_in_the_dropdown_updates_container_info_and_colour(nk_any_policy, fake_agent, pump, tmp_path):
    nk = nk_any_policy
    session = install_session(lambda: fake_agent)
    for _ in range(2):
        _, job = _sent_read(nk, session, pump, tmp_path)
        fake_agent.publish(job, rgb=(0.1, 0.1, 0.1) if not nk.toNode("SL_sh010_gen") else (0.9, 0.9, 0.9))
        pump(lambda j=job: j not in session.awaited_jobs)
    stack = nk.toNode("SL_sh010_gen")
    assert stack["sl_version"].value() == "v002"
    nuke_fake.open_panel(stack)
    nuke_fake.user_set(stack["sl_version"], "v001")
    assert json.loads(stack["shotloop"].value())["version"] == 1
    assert stack["tile_color"].value() == ORANGE and stack["sl_info"].value().startswith("v001 (1 of 2)")
    assert _pixel(nk, stack, tmp_path) == pytest.approx([0.1] * 3, abs=1e-3)


def test_ab_compare_against_the_plate_and_another_version(nk, scripted_session, fake_agent, pump, tmp_path):
    read, job = _sent_read(nk, scripted_session, pump, tmp_path, first=1, last=3)
    fake_agent.publish(job, rgb=(0.5, 0.5, 0.5))
    stack = pump(lambda: nk.toNode("SL_sh010_gen"))
    _, job2 = _sent_read(nk, scripted_session, pump, tmp_path, first=1, last=3)
    fake_agent.publish(job2, rgb=(0.75, 0.75, 0.75))
    pump(lambda: stack["sl_version"].value() == "v002")
    stack.setInput(0, read)  # the plate into B
    stack["sl_view"].setValue("B")
    assert _pixel(nk, stack, tmp_path, frame=3) == pytest.approx(list(plate_rgb(3, 1, 3)), abs=1e-3)
    stack["sl_b"].setValue("v001")
    assert _pixel(nk, stack, tmp_path) == pytest.approx([0.5] * 3, abs=1e-3)
    stack["sl_view"].setValue("A/B difference")
    assert _pixel(nk, stack, tmp_path) == pytest.approx([0.25] * 3, abs=1e-3)
    stack["sl_view"].setValue("A: version")
    assert _pixel(nk, stack, tmp_path) == pytest.approx([0.75] * 3, abs=1e-3)


def test_approve_and_reject_with_a_note_go_through_the_agent(nk, scripted_session, fake_agent, pump, tmp_path):
    _, job = _sent_read(nk, scripted_session, pump, tmp_path)
    fake_agent.publish(job)
    stack = pump(lambda: nk.toNode("SL_sh010_gen"))
    stack["sl_note"].setValue("lovely fog")
    nuke_fake.user_press(stack["sl_approve"])
    assert stack["tile_color"].value() == GREEN  # nothing changes until the agent answers
    pump(lambda: stack["tile_color"].value() == BLUE, what="approved colour")
    assert "review:sh010:1:approved" in fake_agent.calls
    assert "approved" in stack["sl_info"].value() and "note: lovely fog" in stack["sl_info"].value()
    stack["sl_note"].setValue("too dark")
    nuke_fake.user_press(stack["sl_reject"])
    pump(lambda: stack["tile_color"].value() == RED, what="rejected colour")


def test_stacks_survive_save_and_reopen(nk, scripted_session, fake_agent, pump, tmp_path):
    _, job = _sent_read(nk, scripted_session, pump, tmp_path)
    fake_agent.publish(job, seed=99)
    stack = pump(lambda: nk.toNode("SL_sh010_gen"))
    before = stack["shotloop"].value()
    path = tmp_path / "comp.nk"
    nk.scriptSave()
    nk.scriptClear()
    nk.scriptOpen(str(path))
    stack = nk.toNode("SL_sh010_gen")
    assert stack["shotloop"].value() == before and stack["tile_color"].value() == GREEN
    assert "seed 99" in stack["sl_info"].value()
    assert stack.node("A")["which"].hasExpression()
    assert _pixel(nk, stack, tmp_path) == pytest.approx([0.25, 0.5, 0.75], abs=1e-3)


def test_jobs_landing_while_the_script_is_closed_are_loaded_on_reopen(nk, fake_agent, pump, tmp_path):
    from shotloop_nuke import runtime

    session = install_session(lambda: fake_agent)
    _, job = _sent_read(nk, session, pump, tmp_path)
    nk.scriptSave()
    state = json.loads(nk.root()["shotloop_state"].value())
    assert list(state["jobs"]) == [job]
    nk.scriptClose()
    runtime.shutdown()  # Nuke quits
    fake_agent.publish(job, seed=5)  # the agent carries on alone
    session = install_session(lambda: fake_agent)  # a new Nuke
    nk.scriptOpen(str(tmp_path / "comp.nk"))
    stack = pump(lambda: nk.toNode("SL_sh010_gen"), what="landed version loaded")
    assert stack["sl_version"].value() == "v001" and "seed 5" in stack["sl_info"].value()
    pump(lambda: session.awaited_jobs == {})
    nk.scriptSave()
    assert json.loads(nk.root()["shotloop_state"].value())["jobs"] == {}


def test_feed_resumes_from_the_position_saved_in_the_script(nk, scripted_session, fake_agent, pump, tmp_path):
    _, job = _sent_read(nk, scripted_session, pump, tmp_path)
    fake_agent.progress(job, 0.5)
    pump(lambda: fake_agent.events_threads)
    nk.scriptSave()
    nk.scriptClear()
    fake_agent.publish(job)
    nk.scriptOpen(str(tmp_path / "comp.nk"))
    saved = json.loads(nk.root()["shotloop_state"].value())["seq"]
    assert 0 < saved < fake_agent.last_seq
    pump(lambda: nk.toNode("SL_sh010_gen"))


def test_versions_of_selected_fills_stacks_from_the_store(nk, scripted_session, fake_agent, pump, tmp_path):
    from shotloop_nuke import commands

    _, job = _sent_read(nk, scripted_session, pump, tmp_path, name="sh077")
    fake_agent.publish(job)
    stack = pump(lambda: nk.toNode("SL_sh077_gen"))
    nk.delete(stack)
    read = nk.allNodes("Read")[0]
    read.setSelected(True)
    commands.versions_of_selected()
    stack = pump(lambda: nk.toNode("SL_sh077_gen"), what="stack rebuilt from the store")
    assert stack["sl_version"].values() == ["v001"]


def test_events_of_other_shots_and_stores_are_ignored(nk, scripted_session, fake_agent, pump, tmp_path):
    from shotloop.model import JobRequest, Shot, FrameRange, Resolution

    _, job = _sent_read(nk, scripted_session, pump, tmp_path)
    shot = Shot("elsewhere", "/x.####.exr", FrameRange(1, 2), 24.0, Resolution(64, 36))
    (other,) = fake_agent.submit([JobRequest(shot=shot, recipe=RECIPE, store_root=str(tmp_path / "other"))])
    fake_agent.publish(other.job_id)
    fake_agent.publish(job)
    pump(lambda: nk.toNode("SL_sh010_gen"))
    assert nk.toNode("SL_elsewhere_gen") is None


def test_loader_remove_deletes_the_stack(nk, scripted_session, fake_agent, pump, tmp_path):
    _, job = _sent_read(nk, scripted_session, pump, tmp_path)
    fake_agent.publish(job)
    pump(lambda: nk.toNode("SL_sh010_gen"))
    (container,) = scripted_session.host.containers()
    scripted_session.loader.remove(container)
    assert nk.toNode("SL_sh010_gen") is None and list(scripted_session.host.containers()) == []
    assert "begin:ShotLoop: remove sh010 gen" in nuke_fake.undo_log()


def test_a_lost_version_event_is_made_up_for_by_asking_the_agent(nk, scripted_session, fake_agent, pump, tmp_path):
    _, job = _sent_read(nk, scripted_session, pump, tmp_path)
    fake_agent.publish(job, announce=False)
    stack = pump(lambda: nk.toNode("SL_sh010_gen"), what="version loaded without its event")
    assert stack["sl_version"].value() == "v001" and f"job:{job}" in fake_agent.calls
