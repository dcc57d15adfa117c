"""``shotloop ui``: the panel as a standalone window, for supervisors and editorial.

It runs from ShotLoop's own environment, so it may use the media stack for keyframe
previews and frame scrubbing (``local_media``); the panel in a host never does.
"""
from __future__ import annotations

import argparse
import importlib.util
import logging
import logging.handlers
import sys
from pathlib import Path

from ..agent.home import AgentHome
from ..client import AgentAPI
from .services import MediaServices

log = logging.getLogger(__name__)

WINDOW_SIZE = (1440, 900)


def media_services() -> MediaServices:
    """Local media services when this Python has the media stack, else none."""
    if all(importlib.util.find_spec(name) is not None for name in ("OpenImageIO", "av", "numpy")):
        from .local_media import local_services

        return local_services()
    log.info("no media stack in this Python: previews and scrubbing fall back to thumbnails")
    return MediaServices()


def log_to_file(home: AgentHome) -> Path:
    """Tracebacks go to a rotating ``ui.log`` in the agent's home, never to the artist."""
    home.ensure()
    path = home.root / "ui.log"
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=2_000_000, backupCount=3,
                                                   encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger("shotloop").addHandler(handler)
    return path


def build_panel(home: str | Path | None = None, cut: str | Path | None = None, *,
                services: MediaServices | None = None, autostart: bool = True):
    """The standalone panel against the agent of ``home`` (started on demand)."""
    from .panel import ShotLoopPanel

    agent_home = AgentHome.resolve(home)
    panel = ShotLoopPanel(connect=lambda: AgentAPI.connect(agent_home.root),
                          services=services if services is not None else media_services(),
                          autostart=autostart)
    panel.setWindowTitle(f"ShotLoop — {agent_home.root}")
    panel.resize(*WINDOW_SIZE)
    if cut:
        panel.send_view.load_cut(Path(cut))
    return panel


def main(args: argparse.Namespace) -> int:
    from qtpy.QtWidgets import QApplication

    home = getattr(args, "home", None)
    log_to_file(AgentHome.resolve(home))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("ShotLoop")
    panel = build_panel(home, getattr(args, "cut", None))
    panel.show()
    run = getattr(app, "exec", None) or app.exec_
    try:
        return int(run() or 0)
    finally:
        panel.shutdown()
