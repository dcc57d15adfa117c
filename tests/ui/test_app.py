"""`shotloop ui` opens the panel against the running agent (the real CLI entry point)."""
from __future__ import annotations

import pytest
from qtpy.QtCore import QTimer
from qtpy.QtWidgets import QApplication

from shotloop import cli
from shotloop.ui.app import build_panel
from shotloop.ui.panel import ShotLoopPanel
from shotloop.ui.services import MediaServices
from tests.ui.test_widgets import write_cut

pytestmark = pytest.mark.qt

DEADLINE_MS = 30_000


def test_shotloop_ui_opens_the_panel_against_the_running_agent(qapp, agent):
    seen: dict[str, object] = {}

    def check() -> None:
        panels = [w for w in QApplication.topLevelWidgets() if isinstance(w, ShotLoopPanel) and w.isVisible()]
        if panels and panels[0].session.following and panels[0].session.profile is not None:
            seen["title"] = panels[0].windowTitle()
            seen["models"] = [m.model for m in panels[0].session.profile.models]
            panels[0].close()
            qapp.quit()

    # Closing the last window must not leave a Quit event behind for the next test.
    quit_on_close = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    poll, deadline = QTimer(), QTimer()
    poll.timeout.connect(check)
    deadline.setSingleShot(True)
    deadline.timeout.connect(qapp.quit)  # fail below instead of hanging
    poll.start(50)
    deadline.start(DEADLINE_MS)
    try:
        code = cli.main(["ui", "--home", str(agent.home)])
    finally:
        poll.stop()
        deadline.stop()
        qapp.setQuitOnLastWindowClosed(quit_on_close)
    assert "title" in seen, f"the panel did not connect within {DEADLINE_MS / 1000:.0f} s"
    assert code == 0
    assert seen["title"] == f"ShotLoop — {agent.home}"
    assert "gen4_turbo" in seen["models"]
    assert (agent.home / "ui.log").is_file()


def test_the_standalone_panel_reads_the_cut_given_on_the_command_line(qtbot, agent, tmp_path):
    cut = write_cut(tmp_path / "reel1.otio")
    panel = build_panel(agent.home, cut, services=MediaServices(), autostart=False)
    qtbot.addWidget(panel)
    qtbot.waitUntil(lambda: panel.send_view.table.rowCount() == 2, timeout=10_000)
    assert panel.send_view.source_label.text() == "2 shot(s) from the cut reel1.otio"
    assert not panel.session.following  # nothing touched the agent before the panel is shown
