"""Blocking work for the panel (reading thumbnails, decoding frames, making previews) on
worker threads, with results delivered through the GUI dispatcher.

Agent calls go through ``AgentClient``; this pool is for local work so that a slow disk
never delays an agent request or the GUI. ``latest(key, ...)`` drops results that a newer
request for the same key has superseded (the preview of a recipe being typed).
"""
from __future__ import annotations

import itertools
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from ..errors import ShotLoopError

log = logging.getLogger(__name__)

Dispatch = Callable[[Callable[[], None]], None]


class Background:
    def __init__(self, dispatch: Dispatch, *, workers: int = 2) -> None:
        self._dispatch = dispatch
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="shotloop-ui")
        self._lock = threading.Lock()
        self._tokens: dict[str, int] = {}
        self._counter = itertools.count(1)
        self._closed = False

    def run(self, work: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[ShotLoopError], None] | None = None, *, key: str = "") -> None:
        """Run ``work()`` on a worker; deliver its result (or error) on the GUI thread.

        With ``key``, only the newest request for that key is delivered.
        """
        with self._lock:
            if self._closed:
                return
            token = next(self._counter)
            if key:
                self._tokens[key] = token

        def current() -> bool:
            with self._lock:
                return not key or self._tokens.get(key) == token

        def task() -> None:
            if not current():
                return
            try:
                result = work()
            except ShotLoopError as err:
                if on_error is not None and current():
                    self.dispatch(lambda: on_error(err))
                else:
                    log.warning("%s", err.message)
                return
            except Exception as exc:  # a bug must reach the log and the panel, not kill the pool
                log.exception("panel background work failed")
                err = ShotLoopError(f"internal error: {exc}", fix="see the ShotLoop log")
                if on_error is not None and current():
                    self.dispatch(lambda: on_error(err))
                return
            if current():
                self.dispatch(lambda: on_done(result) if current() else None)

        self._pool.submit(task)

    def dispatch(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the GUI thread (dropped if the panel is gone)."""
        try:
            self._dispatch(fn)
        except RuntimeError:  # the panel was deleted while the work ran
            log.debug("panel gone; dropping a background result")

    def close(self) -> None:
        with self._lock:
            self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)
