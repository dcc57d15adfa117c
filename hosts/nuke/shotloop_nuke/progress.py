"""One Nuke progress bar per send batch (created and updated on the main thread only)."""
from __future__ import annotations

from typing import Any

import nuke

from shotloop.model import FINAL_STATES, JobState

_FINAL = frozenset(s.value for s in FINAL_STATES)


class BatchProgress:
    """``nuke.ProgressTask`` for a batch of jobs; Cancel there cancels the batch's jobs."""

    def __init__(self, batch: str, jobs: dict[str, str]) -> None:
        self.batch = batch
        self.shots = dict(jobs)  # job_id -> shot name
        self.states: dict[str, str] = {job_id: JobState.QUEUED.value for job_id in jobs}
        self.progress: dict[str, float] = {job_id: 0.0 for job_id in jobs}
        self.cancelling = False
        count = len(jobs)
        self._task: Any = nuke.ProgressTask(f"ShotLoop: {count} shot{'s' if count != 1 else ''}")
        self._shown = (-1, "")
        self._dirty = True
        self.render()

    def update(self, job_id: str, state: str | None = None, progress: float | None = None) -> None:
        """Record a job's news; the bar is redrawn by ``render`` (once per batch of news)."""
        if job_id not in self.states:
            return
        if state:
            self.states[job_id] = state
        if progress is not None:
            self.progress[job_id] = max(0.0, min(1.0, float(progress)))
        if self.states[job_id] == JobState.PUBLISHED.value:
            self.progress[job_id] = 1.0
        self._dirty = True

    @property
    def finished(self) -> bool:
        return all(s in _FINAL for s in self.states.values())

    def open_jobs(self) -> list[str]:
        return [j for j, s in self.states.items() if s not in _FINAL]

    def cancelled(self) -> bool:
        return self._task is not None and self._task.isCancelled()

    def close(self) -> None:
        self._task = None  # dropping the last reference dismisses the bar

    def render(self) -> None:
        if self._task is None or not self._dirty:
            return
        self._dirty = False
        done = sum(1 for s in self.states.values() if s in _FINAL)
        percent = int(100 * sum(self.progress.values()) / max(len(self.progress), 1))
        running = []
        for job_id, state in self.states.items():
            if state not in _FINAL:
                running.append(f"{self.shots[job_id]} {state.lower()} {int(self.progress[job_id] * 100)}%")
                if len(running) == 3:
                    break
        failed = sum(1 for s in self.states.values() if s in ("FAILED", "CANCELLED"))
        message = f"{done}/{len(self.states)} done"
        if failed:
            message += f", {failed} failed or cancelled"
        if self.cancelling:
            message += " - cancelling"
        if running:
            message += " · " + ", ".join(running)
        if (percent, message) != self._shown:
            self._shown = (percent, message)
            self._task.setProgress(percent)
            self._task.setMessage(message)
