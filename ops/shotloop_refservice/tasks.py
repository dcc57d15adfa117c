"""The task store and its lifecycle, driven by the wall clock (not by poll counts).

PENDING for ``pending_s``; then the task needs one of the model's ``concurrency`` slots:
it RUNS for ``running_s`` when one is free, otherwise it waits THROTTLED and slots are
handed out first come, first served. A ``throttle`` fault holds a task THROTTLED for a
while even with free slots. A ``fail`` fault ends the task FAILED: input-moderation and
asset codes when it would start, the others when it would finish.

State is computed lazily: every read first replays the events (ready, finish, hold
expiry) that happened up to now, in time order, so the outcome does not depend on how
often anyone looks.

Final charge (reference section 4.2, assumptions marked there as unverified):
SUCCEEDED and SAFETY.INPUT / INPUT_PREPROCESSING.SAFETY failures pay the estimate, other
failures are refunded, a task cancelled while PENDING/THROTTLED is refunded and one
cancelled while RUNNING is not.
"""
from __future__ import annotations

import itertools
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Callable

from .account import Account
from .render import RenderSpec

ACTIVE = frozenset({"PENDING", "THROTTLED", "RUNNING"})
EARLY_FAILURES = ("SAFETY.INPUT", "INPUT_PREPROCESSING", "ASSET")
CHARGED_FAILURES = ("SAFETY.INPUT", "INPUT_PREPROCESSING.SAFETY")


@dataclass(frozen=True)
class TaskFaults:
    """What a create's faults do to its task."""

    hold_s: float = 0.0
    failure_code: str = ""
    failure: str = ""


@dataclass(frozen=True)
class TaskView:
    """A consistent snapshot of one task."""

    id: str
    model: str
    status: str
    created_wall: float
    estimate: int
    progress: float
    cost: int | None
    failure_code: str
    failure: str
    prompt: str
    render: RenderSpec


class _Task:
    """A task's mutable record; only TaskStore touches it, under its lock."""

    def __init__(self, task_id: str, seq: int, model: str, estimate: int, prompt: str,
                 render: RenderSpec, faults: TaskFaults, created: float, wall: float,
                 pending_s: float) -> None:
        self.id, self.seq, self.model = task_id, seq, model
        self.estimate, self.prompt, self.render, self.faults = estimate, prompt, render, faults
        self.created, self.created_wall = created, wall
        self.status = "PENDING"
        self.ready_at = created + pending_s
        self.hold_until = self.ready_at + faults.hold_s if faults.hold_s > 0 else None
        self.queued: int | None = None
        self.start_at: float | None = None
        self.end_at: float | None = None
        self.cost: int | None = None

    def fails_early(self) -> bool:
        return self.faults.failure_code.startswith(EARLY_FAILURES)


class TaskStore:
    def __init__(
        self,
        account: Account,
        *,
        pending_s: float,
        running_s: float,
        concurrency: int,
        cancelled_visible: bool = False,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._account = account
        self._pending_s, self._running_s = pending_s, running_s
        self._concurrency = concurrency
        self._cancelled_visible = cancelled_visible
        self._clock, self._wall = clock, wall
        self._lock = threading.Lock()
        self._tasks: dict[str, _Task] = {}
        self._active: list[_Task] = []
        self._seq = itertools.count(1)
        self._queue_seq = itertools.count(1)

    def create(self, model: str, estimate: int, prompt: str, render: RenderSpec,
               faults: TaskFaults) -> TaskView:
        """Store a new task (the caller has already admitted it with the account)."""
        now = self._clock()
        with self._lock:
            self._advance(now)
            task = _Task(str(uuid.uuid4()), next(self._seq), model, estimate, prompt, render,
                         faults, now, self._wall(), self._pending_s)
            self._tasks[task.id] = task
            self._active.append(task)
            return self._view(task, now)

    def get(self, task_id: str) -> TaskView | None:
        now = self._clock()
        with self._lock:
            self._advance(now)
            task = self._tasks.get(task_id)
            return self._view(task, now) if task else None

    def delete(self, task_id: str) -> bool:
        """Cancel an active task or delete a finished one; False when unknown."""
        now = self._clock()
        with self._lock:
            self._advance(now)
            task = self._tasks.get(task_id)
            if task is None:
                return False
            if task.status in ACTIVE:
                was_running = task.status == "RUNNING"
                self._finish(task, now, "CANCELLED", task.estimate if was_running else 0)
                self._dispatch(task.model, now)
                if self._cancelled_visible:
                    return True
            del self._tasks[task_id]
            return True

    def counts(self) -> dict[str, int]:
        now = self._clock()
        with self._lock:
            self._advance(now)
            found: dict[str, int] = {}
            for task in self._tasks.values():
                found[task.status] = found.get(task.status, 0) + 1
            return found

    def reset(self) -> None:
        with self._lock:
            self._tasks.clear()
            self._active.clear()

    # ---------------------------------------------------------------- lifecycle

    def _advance(self, now: float) -> None:
        while True:
            event = self._next_event(now)
            if event is None:
                return
            when, action, task = event
            action(task, when)
            self._dispatch(task.model, when)

    def _next_event(self, now: float) -> tuple[float, Callable[[_Task, float], None], _Task] | None:
        best: tuple[float, int, Callable[[_Task, float], None], _Task] | None = None
        for task in self._active:
            candidate: tuple[float, Callable[[_Task, float], None]] | None = None
            if task.status == "PENDING" and task.ready_at <= now:
                candidate = (task.ready_at, self._on_ready)
            elif task.status == "RUNNING" and task.end_at is not None and task.end_at <= now:
                candidate = (task.end_at, self._on_end)
            elif task.status == "THROTTLED" and task.hold_until is not None and task.hold_until <= now:
                candidate = (task.hold_until, self._on_hold_over)
            if candidate and (best is None or (candidate[0], task.seq) < (best[0], best[1])):
                best = (candidate[0], task.seq, candidate[1], task)
        return None if best is None else (best[0], best[2], best[3])

    def _on_ready(self, task: _Task, when: float) -> None:
        if task.fails_early():
            self._finish(task, when, "FAILED", self._failure_cost(task))
            return
        task.status = "THROTTLED"
        task.queued = next(self._queue_seq)

    def _on_end(self, task: _Task, when: float) -> None:
        if task.faults.failure_code:
            self._finish(task, when, "FAILED", self._failure_cost(task))
        else:
            self._finish(task, when, "SUCCEEDED", task.estimate)

    def _on_hold_over(self, task: _Task, when: float) -> None:
        task.hold_until = None

    def _dispatch(self, model: str, when: float) -> None:
        """Start waiting tasks of ``model`` while it has free slots, oldest first."""
        running = sum(1 for t in self._active if t.model == model and t.status == "RUNNING")
        waiting = sorted(
            (t for t in self._active
             if t.model == model and t.status == "THROTTLED" and t.hold_until is None),
            key=lambda t: t.queued or 0,
        )
        for task in waiting:
            if self._concurrency > 0 and running >= self._concurrency:
                return
            task.status = "RUNNING"
            task.start_at = when
            task.end_at = when + self._running_s
            running += 1

    def _finish(self, task: _Task, when: float, status: str, cost: int) -> None:
        task.status = status
        task.cost = cost
        task.end_at = when
        self._active.remove(task)
        self._account.settle(task.model, task.created_wall, task.estimate, cost)

    def _failure_cost(self, task: _Task) -> int:
        return task.estimate if task.faults.failure_code.startswith(CHARGED_FAILURES) else 0

    def _view(self, task: _Task, now: float) -> TaskView:
        progress = 0.0
        if task.status == "RUNNING" and task.start_at is not None and self._running_s > 0:
            progress = round(min(0.99, max(0.0, (now - task.start_at) / self._running_s)), 4)
        return TaskView(
            id=task.id, model=task.model, status=task.status, created_wall=task.created_wall,
            estimate=task.estimate, progress=progress, cost=task.cost,
            failure_code=task.faults.failure_code, failure=task.faults.failure,
            prompt=task.prompt, render=task.render,
        )
