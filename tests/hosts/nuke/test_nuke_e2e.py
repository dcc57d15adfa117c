"""End to end on the emulated Nuke with the real agent and the reference service (no stand-ins)."""
from __future__ import annotations

import json
import os

import pytest

import nuke_fake
from shotloop.model import JobState, Recipe, ReviewStatus
from shotloop.sequence import frame_path
from tests.hosts.nuke.conftest import install_session
from tests.media_fixtures import make_exr_plate

pytestmark = pytest.mark.slow
RECIPE = Recipe(model="gen4_turbo", prompt="slow push in", duration=2, seed=1234)
BLUE = 0x2F7FE0FF


def _send(nk, session, read):
    from shotloop_nuke.send import send_selected

    return send_selected(session.host, RECIPE, session=session, nodes=[read])


@pytest.mark.parametrize("fps", [23.976, 25.0])
def test_send_receive_switch_approve_and_reopen(nk, agent, pump, tmp_path, fps):
    session = install_session(lambda: agent.api)
    nk.root()["fps"].setValue(fps)
    shot = f"e2e{int(fps * 1000)}"
    read = nk.nodes.Read(file=make_exr_plate(tmp_path / "plates", shot, 1001, 1024, 64, 36), first=1001, last=1024)
    nk.scriptSaveAs(str(tmp_path / "comp.nk"), overwrite=1)
    batch = _send(nk, session, read)
    stack = pump(lambda: nk.toNode(f"SL_{shot}_gen"), timeout_s=120, what="version loaded")
    assert session.errors == []
    pump(lambda: session.batch_status(batch) == "done", timeout_s=30)
    (version,) = agent.api.versions(shot, root=str(tmp_path / "shotloop"))
    assert version.fps == pytest.approx(fps) and (version.frame_range.first, version.frame_range.last) == (1001, 1024)
    take = stack.node("v001")
    assert take["file"].toScript() == version.frames
    assert all(os.path.exists(frame_path(version.frames, f)) for f in (1001, 1024))
    assert (take.width(), take.height()) == (64, 36)  # conformed to the plate
    assert f"seed {RECIPE.seed}" in stack["sl_info"].value()

    stack.setInput(0, read)
    stack["sl_view"].setValue("B")  # A/B against the plate
    assert stack.node("View")["which"].value() == 1.0
    stack["sl_view"].setValue("A: version")

    stack["sl_note"].setValue("approved in e2e")
    nuke_fake.user_press(stack["sl_approve"])
    pump(lambda: stack["tile_color"].value() == BLUE, timeout_s=30, what="approved")
    (reviewed,) = agent.api.versions(shot, root=str(tmp_path / "shotloop"))
    assert reviewed.review is ReviewStatus.APPROVED and reviewed.note == "approved in e2e"

    nk.scriptSave()
    nk.scriptClear()
    nk.scriptOpen(str(tmp_path / "comp.nk"))
    again = nk.toNode(f"SL_{shot}_gen")
    assert json.loads(again["shotloop"].value())["version"] == 1 and again["tile_color"].value() == BLUE


def test_a_job_landing_while_nuke_is_closed_is_loaded_when_the_script_reopens(nk, agent, pump, tmp_path):
    from shotloop_nuke import runtime

    session = install_session(lambda: agent.api)
    nk.root()["fps"].setValue(24.0)
    read = nk.nodes.Read(file=make_exr_plate(tmp_path / "plates", "resume1", 1, 24, 64, 36), first=1, last=24)
    nk.scriptSaveAs(str(tmp_path / "comp.nk"), overwrite=1)
    batch = _send(nk, session, read)
    pump(lambda: session.batch_status(batch) == "running", timeout_s=30, what="submitted")
    (job_id,) = session.awaited_jobs
    nk.scriptSave()
    nk.scriptClose()  # saved: no question asked
    runtime.shutdown()
    (job,) = agent.wait_final([job_id])
    assert job.state is JobState.PUBLISHED
    install_session(lambda: agent.api)
    nk.scriptOpen(str(tmp_path / "comp.nk"))
    stack = pump(lambda: nk.toNode("SL_resume1_gen"), timeout_s=30, what="landed version loaded")
    assert stack["sl_version"].value() == "v001"
