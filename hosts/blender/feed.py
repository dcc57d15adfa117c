"""Follow the agent's event feed on a worker thread.

Like ``AgentClient.follow`` but with a short long-poll and a stop that ends the thread within
one poll, so disabling the extension or loading another .blend leaves no thread behind, and
a cursor the host sets (the seq last handled, saved on the scene) so a reopened .blend
resumes where it stopped. The thread never touches bpy: events go through ``dispatch``.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable

from shotloop.client import AgentAPI, AgentEvent
from shotloop.errors import AgentUnavailable, ShotLoopError

log = logging.getLogger(__name__)

POLL_S = 2.0


class EventFollower:
    def __init__(self, api: Callable[[], AgentAPI], dispatch: Callable[[Callable[[], None]], None],
                 listener: Callable[[AgentEvent], None], *, since: int = 0,
                 poll_s: float = POLL_S, on_lost: Callable[[], None] | None = None) -> None:
        self._api = api
        self._dispatch = dispatch
        self._listener = listener
        self._on_lost = on_lost
        self.cursor = since
        self.poll_s = poll_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="shotloop-blender-events", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, join_s: float = 0.0) -> None:
        self._stop.set()
        if join_s > 0 and self._thread.is_alive():
            self._thread.join(join_s)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                events, last = self._api().events(self.cursor, wait_s=self.poll_s)
                backoff = 0.5
            except AgentUnavailable as err:
                log.info("event feed: %s", err.message)
                if self._on_lost is not None:
                    self._on_lost()
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            except ShotLoopError as err:
                log.warning("event feed: %s", err.message)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            except Exception:  # never let the feed die on a bug: log and keep following
                log.exception("event feed failed")
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            if self._stop.is_set():
                return
            for event in events:  # one callback each, so the main thread's budget can split a burst
                self._dispatch(lambda e=event: self._listener(e))
            if events:
                self.cursor = max(self.cursor, max(e.seq for e in events))
            elif last < self.cursor:
                self.cursor = last  # a different (younger) ledger answers: follow it from its end
