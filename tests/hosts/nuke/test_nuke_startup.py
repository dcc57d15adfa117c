"""NUKE_PATH startup: init.py in every mode, menu.py in the GUI, the panel, terminal-mode sends."""
from __future__ import annotations

import os
import runpy
import subprocess
import sys
import threading
import time

import pytest

import nuke_fake
from shotloop.model import Recipe
from tests.hosts.nuke.conftest import ROOT, install_session
from tests.media_fixtures import make_exr_plate

NUKE_PATH = ROOT / "hosts" / "nuke"


def test_init_py_runs_in_terminal_mode_without_qt_or_media_libraries():
    code = (
        "import sys, runpy, nuke_fake, nuke\n"
        "nuke_fake.reset(gui=False)\n"
        f"runpy.run_path({str(NUKE_PATH / 'init.py')!r})\n"
        "from shotloop_nuke import runtime\n"
        "assert runtime.on_script_load in [c[0] for c in nuke.onScriptLoads['Root']]\n"
        "heavy = {'qtpy', 'PySide6', 'PySide2', 'OpenImageIO', 'av', 'numpy'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
        "assert runtime.session(create=False) is None  # no agent, no thread until used\n"
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "tests" / "nuke_emulation"), str(NUKE_PATH),
                                                       str(ROOT)]))
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_menu_py_builds_the_menu_the_node_entry_and_the_panel(nk):
    runpy.run_path(str(NUKE_PATH / "init.py"))
    runpy.run_path(str(NUKE_PATH / "menu.py"))
    tree = nuke_fake.menu_tree()
    assert list(tree["Nuke"]["ShotLoop"]) == ["Send selected", "Open panel", "Versions of selected",
                                               "Link OTIO cut..."]
    assert "ShotLoop Version Stack" in tree["Nodes"]["ShotLoop"]
    assert "ShotLoop" in tree["Pane"]


@pytest.mark.qt
def test_the_panel_restores_from_a_saved_layout_in_a_bare_namespace(nk, qapp):
    from shotloop_nuke import panel

    panel.register()
    restored = nuke_fake.restore_panel(panel.PANEL_ID)
    widget = restored.customKnob.getObject().widget
    assert type(widget).__name__ == "NukeShotLoopPanel"
    widget.deleteLater()
    qapp.processEvents()


def test_send_selected_menu_command_asks_for_the_recipe(nk, scripted_session, fake_agent, pump, tmp_path):
    from shotloop_nuke import commands

    read = nk.nodes.Read(file=make_exr_plate(tmp_path, "sh090", 1, 24, 32, 18), first=1, last=24)
    read.setSelected(True)
    nuke_fake.queue_dialog_response("modal", True)
    commands.send_selected_command()
    pump(lambda: fake_agent.submitted, what="sent")
    assert fake_agent.submitted[0].recipe.model == "gen4_turbo"
    nuke_fake.queue_dialog_response("modal", False)
    commands.send_selected_command()  # cancelled: nothing more is sent
    nuke_fake.queue_dialog_response("message", None)
    read.setSelected(False)
    commands.send_selected_command()  # nothing selected: said at once, no recipe asked
    assert nuke_fake.dialog_log()[-1][0] == "message"
    assert len(fake_agent.submitted) == 1


def test_terminal_mode_send_runs_its_own_main_thread_queue(nk, fake_agent, tmp_path):
    from shotloop_nuke.headless import send_and_wait

    nuke_fake.reset(gui=False)
    session = install_session(lambda: fake_agent)
    read = nk.nodes.Read(file=make_exr_plate(tmp_path, "sh100", 1, 24, 32, 18), first=1, last=24)
    nk.scriptSaveAs(str(tmp_path / "batch.nk"), overwrite=1)

    def agent_side() -> None:
        deadline = time.monotonic() + 20
        while not fake_agent.submitted and time.monotonic() < deadline:
            time.sleep(0.01)
        fake_agent.publish(fake_agent.jobs()[0].job_id)

    helper = threading.Thread(target=agent_side)
    helper.start()
    batch = send_and_wait([read], Recipe(model="gen4_turbo"), session=session, timeout_s=30)
    helper.join(5)
    assert session.batch_status(batch) == "done"
    assert nk.toNode("SL_sh100_gen")["sl_version"].value() == "v001"
    assert any("ShotLoop: 1 shot" in line for line in nuke_fake.printed())
