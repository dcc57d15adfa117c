"""The ShotLoop panel: Send, Watch and Review in one widget, for Nuke and ``shotloop ui``.

``ShotLoopPanel()`` needs no arguments, because Nuke's ``registerWidgetAsPanel`` builds
the class itself; a host hands over its selection, version folder and main-thread
dispatch afterwards with ``attach`` (or from a subclass's ``__init__``)::

    class NukeShotLoopPanel(ShotLoopPanel):
        def __init__(self, parent=None):
            super().__init__(parent)
            host = NukeHost()
            self.attach(shots_provider=host.selected_shots, store_root=host.store_root)

Nothing touches the agent until the panel is first shown; then it connects (starting the
agent if needed) on a worker thread. The panel never waits on the agent, the disk or
media: all of it runs on worker threads and comes back through ``dispatch``.
"""
from __future__ import annotations

import logging
from functools import partial
from typing import Callable

from qtpy.QtCore import Qt
from qtpy.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from ..client import AgentAPI
from .background import Background
from .review_view import ReviewView
from .send_view import SendView
from .services import MediaServices
from .agent_link import ClientSlot
from .session import PanelSession
from .shot_list import ShotsProvider
from .watch_view import WatchView

log = logging.getLogger(__name__)

Dispatch = Callable[[Callable[[], None]], None]
TITLE = "ShotLoop"
PANEL_ID = "uk.shotloop.panel"  # Nuke's layout-restore id
# What nukescripts.registerWidgetAsPanel evaluates (it imports the class itself, so a saved
# layout restores even before menu.py imported anything). A host subclass works the same way.
WIDGET_EXPRESSION = "__import__('shotloop.ui.panel', fromlist=['ShotLoopPanel']).ShotLoopPanel"


def _release(slot: ClientSlot, background: Background, *_: object) -> None:
    """Stop the panel's threads once its widgets are destroyed."""
    slot.close()
    background.close()


class ShotLoopPanel(QWidget):
    def __init__(self, parent: QWidget | None = None, *, connect: Callable[[], AgentAPI] | None = None,
                 shots_provider: ShotsProvider | None = None, store_root: Callable[[], str] | None = None,
                 dispatch: Dispatch | None = None, services: MediaServices | None = None,
                 profile: str = "", autostart: bool = True) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setObjectName("ShotLoopPanel")
        self.autostart = autostart
        self.session = PanelSession(connect=connect, dispatch=dispatch, profile=profile, parent=self)
        self.background = Background(self.session.dispatch, workers=3)
        self.services = services or MediaServices()

        self.send_view = SendView(self.session, self.background, self.services)
        self.watch_view = WatchView(self.session)
        self.review_view = ReviewView(self.session, self.background, self.services)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.send_view, "Send")
        self.tabs.addTab(self.watch_view, "Watch")
        self.tabs.addTab(self.review_view, "Review")

        self.connection = QLabel("Not connected")
        self.message = QLabel("")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reconnect = QPushButton("Connect")
        status = QHBoxLayout()
        status.addWidget(self.connection)
        status.addWidget(self.message, 1)
        status.addWidget(self.reconnect)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(status)

        self.session.connection_changed.connect(self._connection_changed)
        self.session.message.connect(self.show_message)
        self.session.version_changed.connect(self._version_event)
        self.send_view.sent.connect(self._sent)
        self.watch_view.show_versions.connect(self.show_versions)
        self.review_view.replayed.connect(lambda job: self.watch_view.select_job(job.job_id))
        self.reconnect.clicked.connect(self.start)
        self.destroyed.connect(partial(_release, self.session.slot, self.background))
        self.attach(shots_provider=shots_provider, store_root=store_root)

    # ------------------------------------------------------------------ host wiring
    def attach(self, *, shots_provider: ShotsProvider | None = None,
               store_root: Callable[[], str] | None = None, dispatch: Dispatch | None = None,
               services: MediaServices | None = None) -> None:
        """Hand the panel the host's selection, version folder, main-thread dispatch and
        media services (any left out keep their current value)."""
        if shots_provider is not None or store_root is not None:
            self.send_view.set_shots_provider(shots_provider or self.send_view.shots_provider,
                                              store_root or self.send_view.store_root_provider)
        if dispatch is not None:
            self.session.set_dispatch(dispatch)
        if services is not None:
            self.services = services
            self.send_view.services = services
            self.review_view.services = services

    def start(self) -> None:
        """Connect to the agent (on a worker thread) and follow its events."""
        self.connection.setText("Connecting…")
        self.session.start()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self.autostart:
            self.start()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        _release(self.session.slot, self.background)

    # ------------------------------------------------------------------ reactions
    def _connection_changed(self, connected: bool) -> None:
        self.connection.setText("● Agent connected" if connected else "○ Agent not reachable")
        self.connection.setStyleSheet("color: #6abf69;" if connected else "color: #e0533d;")
        self.reconnect.setVisible(not connected)

    def show_message(self, level: str, text: str) -> None:
        """One line for the artist; the details are in the log."""
        self.message.setText(" ".join(text.split()))
        self.message.setStyleSheet("color: #e0533d;" if level == "error" else "")

    def _sent(self, pairs: list) -> None:
        from ..model import Job

        jobs = [r for _, r in pairs if isinstance(r, Job)]
        if jobs:
            self.tabs.setCurrentWidget(self.watch_view)
            self.watch_view.select_job(jobs[0].job_id)

    def _version_event(self, version) -> None:
        if version.review.value == "pending":
            self.show_message("info", f"{version.name} published")

    def show_versions(self, shot: str) -> None:
        self.tabs.setCurrentWidget(self.review_view)
        self.review_view.show_shot(shot)
