"""Qt panel tests: offscreen Qt, the real agent on the reference service, screenshots.

Screenshots of each view go to ``test-output/ui/`` (gitignored) at the repo root.
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402
from typing import Callable  # noqa: E402

import pytest  # noqa: E402


SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "ui"



def settle(rounds: int = 6) -> None:
    """Let posted events and layout passes run (no waiting on time).

    Through a QEventLoop: PySide6 6.12's static QCoreApplication.processEvents() drops a
    reference to None on every call, which crashes a long session.
    """
    from qtpy.QtCore import QEventLoop

    loop = QEventLoop()
    for _ in range(rounds):
        loop.processEvents()


@pytest.fixture
def screenshot(qapp) -> Callable[..., Path]:
    """``screenshot(widget, name)``: save the widget as test-output/ui/<name>.png."""

    def save(widget, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        settle()
        path = SCREENSHOTS / f"{name}.png"
        assert widget.grab().save(str(path)), f"could not write {path}"
        return path

    return save


@pytest.fixture(scope="session")
def agent(refservice, tmp_path_factory):
    """The panel lists every job and version the agent knows: give it an agent of its own."""
    from tests.agent_fixture import running_agent

    with running_agent(refservice, tmp_path_factory.mktemp("ui-agent-home")) as run:
        yield run
