"""Run callables on the GUI thread: the Qt side of ``AgentClient(dispatch=...)``.

Worker threads never touch widgets. They hand a callable to ``QtDispatcher``, which emits
it through a signal; the receiving QObject lives on the GUI thread, so the queued
connection runs it there on the next turn of the event loop. A callable that raises is
logged (with its traceback, in the log only) and reported through ``failed`` as one line.
"""
from __future__ import annotations

import logging
from typing import Callable

from qtpy.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)


class QtDispatcher(QObject):
    """``dispatcher(fn)`` from any thread runs ``fn()`` on the thread that made it (the GUI)."""

    failed = Signal(str)
    _posted = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._posted.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def __call__(self, fn: Callable[[], None]) -> None:
        self._posted.emit(fn)

    @Slot(object)
    def _run(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except Exception as exc:  # a callback bug must not take the host's event loop down
            log.exception("ShotLoop panel callback failed")
            self.failed.emit(f"internal error in the panel: {exc} (details in the log)")
