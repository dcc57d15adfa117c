"""An in-memory stand-in for the agent's HTTP API, driven step by step by a test.

Used by the adapter tests that need exact control over timing (progress, cancel, jobs that
land while the script is closed). It has the same methods as ``shotloop.client.AgentAPI``
and publishes real EXR sequences in the store layout. End-to-end tests use the real agent.
"""
from __future__ import annotations

import itertools
import threading
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

from shotloop import model
from shotloop.client import AgentEvent
from shotloop.errors import JobNotFound, ShotLoopError, TaskFailed
from shotloop.model import FrameRange, Job, JobRequest, JobState, ReviewStatus, Version


class FakeAgentAPI:
    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._jobs: dict[str, Job] = {}
        self._versions: list[Version] = []
        self._events: list[AgentEvent] = []
        self._seq = itertools.count(1)
        self.submitted: list[JobRequest] = []
        self.calls: list[str] = []
        self.events_threads: set[str] = set()

    # ------------------------------------------------------------------ plumbing
    def _emit(self, kind: str, job_id: str, payload: dict[str, Any]) -> None:
        event = AgentEvent(next(self._seq), time.time(), kind, job_id, payload)
        self._events.append(event)
        self._lock.notify_all()

    def _summary(self, job: Job) -> dict[str, Any]:
        return {"shot": job.shot.name, "label": job.recipe.label, "state": job.state.value}

    def health(self) -> dict:
        return {"ok": True}

    def profile(self, name: str = "") -> dict:
        """What the send pass asks first: models and limits, colour spaces, budget."""
        from shotloop.providers.runway_models import MODELS

        models = [{"endpoint": s.endpoint, "model": s.model, "ratios": list(s.ratios),
                   "durations": list(s.durations), "positions": list(s.positions),
                   "prompt_max": s.prompt_max, "required": sorted(s.required),
                   "credits_per_s": s.credits_per_s} for s in MODELS]
        spaces = ["ACEScg", "ACES2065-1", "ACEScct", "Linear Rec.709 (sRGB)", "sRGB Encoded Rec.709 (sRGB)",
                  "Raw"]
        return {"name": name or "reference", "models": models, "colorspaces": spaces,
                "budget_remaining": None, "credit_balance": None}

    # ------------------------------------------------------------------ API
    def submit(self, requests_: Any) -> list[Job | ShotLoopError]:
        out: list[Job | ShotLoopError] = []
        with self._lock:
            self.calls.append("submit")
            for request in requests_:
                self.submitted.append(request)
                job = Job(job_id=uuid.uuid4().hex[:10], shot=request.shot, recipe=request.recipe,
                          edit=request.edit, store_root=request.store_root, batch=request.batch,
                          created_at=time.time())
                self._jobs[job.job_id] = job
                self._emit("job.added", job.job_id, self._summary(job))
                out.append(job)
        return out

    def jobs(self, **filters: str) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def job(self, job_id: str) -> Job:
        with self._lock:
            self.calls.append(f"job:{job_id}")
            if job_id not in self._jobs:
                raise JobNotFound(f"no job {job_id}", field="job_id", fix="check the id")
            return self._jobs[job_id]

    def cancel(self, job_id: str) -> Job:
        with self._lock:
            self.calls.append(f"cancel:{job_id}")
            job = self._jobs[job_id]
            if not job.state.final:
                job = self._set(job_id, state=JobState.CANCELLED)
            return job

    def versions(self, shot: str, *, label: str | None = None, root: str = "") -> list[Version]:
        with self._lock:
            self.calls.append(f"versions:{shot}")
            return [v for v in self._versions if v.shot == shot and (label is None or v.label == label)]

    def review(self, shot: str, label: str, number: int, status: Any, note: str = "", *, root: str = "") -> Version:
        with self._lock:
            self.calls.append(f"review:{shot}:{number}:{ReviewStatus(status).value}")
            for index, version in enumerate(self._versions):
                if (version.shot, version.label, version.number) == (shot, label, number):
                    version = replace(version, review=ReviewStatus(status), note=note)
                    self._versions[index] = version
                    self._emit("version.review", "", {"shot": shot, "label": label, "number": number,
                                                      "status": ReviewStatus(status).value, "note": note})
                    return version
        raise JobNotFound(f"no version {shot}/{label}/v{number:03d}")

    def events(self, since: int, *, wait_s: float = 20.0) -> tuple[list[AgentEvent], int]:
        self.events_threads.add(threading.current_thread().name)
        deadline = time.monotonic() + wait_s
        with self._lock:
            while True:
                found = [e for e in self._events if e.seq > since]
                left = deadline - time.monotonic()
                if found or left <= 0:
                    return found, (found[-1].seq if found else since)
                self._lock.wait(min(left, 0.05))

    # ------------------------------------------------------------------ test controls
    def _set(self, job_id: str, **changes: Any) -> Job:
        job = replace(self._jobs[job_id], **changes, updated_at=time.time())
        self._jobs[job_id] = job
        kind = "job.state" if "state" in changes else "job.progress"
        payload = {**self._summary(job), "progress": job.progress, "remote_status": job.remote_status,
                   "error": job.error, "version": job.version}
        self._emit(kind, job_id, payload)
        return job

    def progress(self, job_id: str, progress: float, state: JobState | None = None) -> None:
        with self._lock:
            changes: dict[str, Any] = {"progress": progress, "remote_status": "RUNNING"}
            if state is not None:
                changes["state"] = state
            self._set(job_id, **changes)

    def fail(self, job_id: str, problem: str = "the service refused the prompt") -> None:
        with self._lock:
            job = self._jobs[job_id]
            err = TaskFailed(problem, shot=job.shot.name, field="recipe.prompt", fix="change the prompt")
            self._set(job_id, state=JobState.FAILED, error=err.to_dict())

    def publish(self, job_id: str, *, seed: int | None = None, rgb: tuple[float, float, float] = (0.25, 0.5, 0.75),
                width: int = 64, height: int = 36, announce: bool = True) -> Version:
        """Write a real EXR version into the job's store root, as the agent would
        (``announce=False``: the "version.published" event is lost)."""
        import OpenImageIO as oiio

        with self._lock:
            job = self._jobs[job_id]
            shot, label = job.shot.name, job.recipe.label
            number = 1 + max((v.number for v in self._versions if v.shot == shot and v.label == label), default=0)
            folder = Path(job.store_root) / shot / label / f"v{number:03d}"
            folder.mkdir(parents=True, exist_ok=True)
            name = f"{shot}_{label}_v{number:03d}"
            spec = oiio.ImageSpec(width, height, 3, oiio.HALF)
            for frame in job.shot.frame_range.frames():
                buf = oiio.ImageBuf(spec)
                oiio.ImageBufAlgo.fill(buf, list(rgb))
                buf.write(str(folder / f"{name}.{frame:04d}.exr"))
            version = Version(
                shot=shot, label=label, number=number, path=str(folder),
                frames=str(folder / f"{name}.####.exr"),
                frame_range=FrameRange(job.shot.frame_range.first, job.shot.frame_range.last),
                fps=job.shot.fps, resolution=model.Resolution(width, height), colorspace="ACEScg",
                job_id=job_id, model=job.recipe.model, seed=job.recipe.seed if seed is None else seed,
                created_at=time.time())
            self._versions.append(version)
            self._set(job_id, state=JobState.PUBLISHED, version=number, progress=1.0)
            if announce:
                self._emit("version.published", job_id, {"job_id": job_id, "version": model.to_dict(version)})
            return version

    @property
    def last_seq(self) -> int:
        with self._lock:
            return self._events[-1].seq if self._events else 0

