"""Worker threads → main thread: a queue drained by a persistent ``bpy.app.timers`` callback.

Worker threads only ``post()``; everything that touches bpy runs in ``drain()`` on the main
thread, which stops after a time budget (8 ms) so one tick never stalls the UI, and resumes
on the next tick. A callback's exception goes to the log and to ``on_error`` (the panel's
status line), never into Blender. In the module build (tests, ``bpy`` as a Python module)
timers never fire: tests call ``drain()`` themselves.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Callable

from shotloop.errors import ShotLoopError

log = logging.getLogger(__name__)

BUDGET_S = 0.008
BUSY_INTERVAL_S = 0.01  # more work is waiting
IDLE_INTERVAL_S = 0.1


class MainThreadQueue:
    """Thread-safe queue of callables run on Blender's main thread within a time budget."""

    def __init__(self, on_error: Callable[[ShotLoopError], None] | None = None, *,
                 budget_s: float = BUDGET_S, clock: Callable[[], float] = time.perf_counter) -> None:
        self._queue: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._on_error = on_error
        self.budget_s = budget_s
        self._clock = clock
        self._main = threading.get_ident()
        self.longest_tick_s = 0.0  # the longest drain so far, for the stall benchmark

    def post(self, fn: Callable[[], None]) -> None:
        """Queue ``fn`` for the main thread (safe from any thread)."""
        self._queue.put(fn)

    def pending(self) -> int:
        return self._queue.qsize()

    def drain(self, budget_s: float | None = None) -> int:
        """Run queued callbacks until the queue is empty or the budget is spent; returns the count."""
        budget = self.budget_s if budget_s is None else budget_s
        start = self._clock()
        done = 0
        while True:
            try:
                fn = self._queue.get_nowait()
            except queue.Empty:
                break
            self._run(fn)
            done += 1
            if self._clock() - start >= budget:
                break
        self.longest_tick_s = max(self.longest_tick_s, self._clock() - start)
        return done

    def tick(self) -> float:
        """The timer body: drain, then say when to come back."""
        self.drain()
        return BUSY_INTERVAL_S if not self._queue.empty() else IDLE_INTERVAL_S

    def _run(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except ShotLoopError as err:
            log.warning("%s", err.message)
            self._report(err)
        except Exception as exc:  # a bug in a callback must not break the timer
            log.exception("ShotLoop main-thread callback failed")
            self._report(ShotLoopError(f"internal error: {type(exc).__name__}: {exc}",
                                       fix="see the ShotLoop log for the traceback"))

    def _report(self, err: ShotLoopError) -> None:
        if self._on_error is None:
            return
        try:
            self._on_error(err)
        except Exception:
            log.exception("ShotLoop could not report an error")
