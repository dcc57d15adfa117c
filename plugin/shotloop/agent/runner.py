"""The job runner: moves every job through the ledger's state machine.

One scheduler thread decides what happens next (start queued jobs within each profile's
concurrency, poll remote tasks when due) and sleeps on a condition until the next due time,
so a waiting agent uses no CPU. The work itself runs on two pools: ``io`` (prepare, upload,
create, poll, download) and ``media`` (ingest; sized to the cores). Each ledger transition
is committed before the side effect that follows it is considered done.
"""
from __future__ import annotations

import heapq
import logging
import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..errors import (
    CreateOutcomeUnknown,
    DownloadFailed,
    JobCancelled,
    ProviderRateLimited,
    ProviderUnavailable,
    ShotLoopError,
    TaskFailed,
    TaskLost,
)
from ..model import Job, JobState
from ..store.scrub import scrub
from . import stages
from .resources import Resources

log = logging.getLogger(__name__)

ACTIVE_REMOTE = (JobState.UPLOADING, JobState.SUBMITTED, JobState.RUNNING)
MAX_DOWNLOAD_ATTEMPTS = 3
MAX_UNAVAILABLE_WAITS = 8  # connect failures before any create was sent: then FAILED
PROGRESS_EVERY_S = 0.5


@dataclass(order=True)
class _Due:
    at: float
    job_id: str = field(compare=False)
    action: str = field(compare=False)  # "poll" | "ingest"


class Runner:
    def __init__(self, resources: Resources, *, io_workers: int = 8, media_workers: int = 1) -> None:
        self.res = resources
        self.ledger = resources.ledger
        self._cond = threading.Condition()
        self._due: list[_Due] = []
        self._busy: set[str] = set()
        self._cancel: dict[str, threading.Event] = {}
        self._not_before: dict[str, float] = {}
        self._download_attempts: dict[str, int] = {}
        self._stopping = False
        self._io = ThreadPoolExecutor(io_workers, thread_name_prefix="shotloop-io")
        self._media = ThreadPoolExecutor(media_workers, thread_name_prefix="shotloop-media")
        self._thread = threading.Thread(target=self._loop, name="shotloop-scheduler", daemon=True)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        self.resume()
        self._thread.start()

    def stop(self, wait: bool = True) -> None:
        with self._cond:
            self._stopping = True
            for flag in self._cancel.values():
                flag.set()
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=10)
        self._io.shutdown(wait=wait, cancel_futures=True)
        self._media.shutdown(wait=wait, cancel_futures=True)

    def wake(self) -> None:
        with self._cond:
            self._cond.notify_all()

    def resume(self) -> None:
        """Pick every non-final job up again from its last committed state."""
        self.res.clean_staging()
        for job in self.ledger.unfinished():
            if job.state is JobState.UPLOADING:
                if job.details.get("create_started") and not job.remote_task_id:
                    err = CreateOutcomeUnknown(
                        "the agent stopped while the create call was in flight; a task may exist",
                        shot=job.shot.name, field="job.remote_task_id",
                        fix="check the provider's dashboard, then retry (may bill twice) or cancel")
                    self.ledger.transition(job.job_id, JobState.SUBMIT_UNKNOWN, error=err.to_dict())
                else:
                    self.ledger.transition(job.job_id, JobState.QUEUED)
            elif job.state in (JobState.SUBMITTED, JobState.RUNNING, JobState.DOWNLOADING):
                self._schedule(job.job_id, 0.0, "poll")
            elif job.state is JobState.INGESTING:
                self._schedule(job.job_id, 0.0, "ingest")
            log.info("resumed %s (%s) in %s", job.job_id, job.shot.name, job.state.value)

    # ------------------------------------------------------------------ scheduling
    def _schedule(self, job_id: str, delay: float, action: str) -> None:
        with self._cond:
            heapq.heappush(self._due, _Due(time.monotonic() + delay, job_id, action))
            self._cond.notify_all()

    def _submit_work(self, job_id: str, pool: ThreadPoolExecutor, fn: Callable[[str], None]) -> None:
        with self._cond:
            if job_id in self._busy or self._stopping:
                return
            self._busy.add(job_id)

        def run() -> None:
            try:
                fn(job_id)
            except Exception:  # a bug in a stage must not kill the pool thread or lose the job
                log.exception("job %s: unexpected error", job_id)
                self._fail(job_id, ShotLoopError("internal error in the agent; see agent.log",
                                                 fix="retry the job; report the log if it repeats"))
            finally:
                with self._cond:
                    self._busy.discard(job_id)
                    self._cond.notify_all()
                self._forget_if_final(job_id)

        pool.submit(run)

    def _forget_if_final(self, job_id: str) -> None:
        """Drop the per-job bookkeeping of a finished job (a long-lived agent sees many)."""
        try:
            if not self.ledger.get(job_id).state.final:
                return
        except ShotLoopError:  # the ledger is closing with the agent
            return
        with self._cond:
            self._cancel.pop(job_id, None)
            self._not_before.pop(job_id, None)
            self._download_attempts.pop(job_id, None)

    def _loop(self) -> None:
        while True:
            with self._cond:
                if self._stopping:
                    return
                due_polls = []
                now = time.monotonic()
                while self._due and self._due[0].at <= now:
                    due_polls.append(heapq.heappop(self._due))
                timeout = (self._due[0].at - now) if self._due else 30.0
            for item in due_polls:
                if item.action == "ingest":
                    self._submit_work(item.job_id, self._media, self._ingest)
                else:
                    self._submit_work(item.job_id, self._io, self._poll)
            self._start_queued()
            with self._cond:
                if not self._stopping:
                    next_free = min((t for t in self._not_before.values() if t > time.monotonic()), default=None)
                    if next_free is not None:
                        timeout = min(timeout, next_free - time.monotonic())
                    self._cond.wait(timeout=max(0.01, min(timeout, 30.0)))

    def _start_queued(self) -> None:
        queued = self.ledger.list(states=[JobState.QUEUED])
        if not queued:
            return
        active: dict[str, int] = {}
        for job in self.ledger.list(states=list(ACTIVE_REMOTE)):
            active[job.profile] = active.get(job.profile, 0) + 1
        now = time.monotonic()
        for job in sorted(queued, key=lambda j: j.created_at):
            if self._not_before.get(job.job_id, 0.0) > now:
                continue
            limit = self.res.concurrency(job.profile)
            if active.get(job.profile, 0) >= limit:
                continue
            with self._cond:
                if job.job_id in self._busy:
                    continue
            active[job.profile] = active.get(job.profile, 0) + 1
            self._submit_work(job.job_id, self._io, self._prepare_and_submit)

    # ------------------------------------------------------------------ helpers
    def _flag(self, job_id: str) -> threading.Event:
        with self._cond:
            return self._cancel.setdefault(job_id, threading.Event())

    def _fail(self, job_id: str, err: ShotLoopError, **changes: Any) -> None:
        job = self.ledger.get(job_id)
        if job.state.final:
            return
        if err.shot is None:
            err.shot = job.shot.name
        log.warning("job %s failed: %s", job_id, err.message)
        self.ledger.transition(job_id, JobState.FAILED, error=err.to_dict(), **changes)

    def _cancelled(self, job_id: str, *, remote: bool) -> None:
        job = self.ledger.get(job_id)
        if job.state.final:
            return
        if remote and job.remote_task_id:
            try:
                self.res.provider(job.profile).cancel(job.remote_task_id)
            except ShotLoopError as err:
                log.warning("job %s: remote cancel failed: %s", job_id, err.message)
        self.ledger.transition(job_id, JobState.CANCELLED)
        shutil.rmtree(self.res.work_dir(job_id), ignore_errors=True)

    # ------------------------------------------------------------------ public actions
    def cancel(self, job_id: str) -> Job:
        """Cancel a job in any non-final state. Safe to call from any thread."""
        job = self.ledger.get(job_id)
        if job.state.final:
            return job
        self._flag(job_id).set()
        with self._cond:
            busy = job_id in self._busy
            if not busy:
                self._busy.add(job_id)  # hold the job while we cancel it here
        if busy:
            return job  # the worker sees the flag at its next step and cancels
        try:
            self._cancelled(job_id, remote=True)
        finally:
            with self._cond:
                self._busy.discard(job_id)
        return self.ledger.get(job_id)

    def retry(self, job_id: str) -> Job:
        job = self.ledger.get(job_id)
        if job.state in (JobState.FAILED, JobState.SUBMIT_UNKNOWN):
            with self._cond:
                self._cancel.pop(job_id, None)
            job = self.ledger.transition(job_id, JobState.QUEUED, error=None, remote_task_id="",
                                         remote_status="", progress=0.0, attempt=job.attempt + 1,
                                         details={k: v for k, v in job.details.items()
                                                  if k not in ("create_started", "outputs")})
            self.wake()
        return job

    # ------------------------------------------------------------------ stages
    def _prepare_and_submit(self, job_id: str) -> None:
        job = self.ledger.get(job_id)
        if job.state is not JobState.QUEUED:
            return
        flag = self._flag(job_id)
        if flag.is_set():
            self._cancelled(job_id, remote=False)
            return
        # A wait (429, unreachable) left its reason on the job; this attempt starts clean.
        job = self.ledger.transition(job_id, JobState.UPLOADING, progress=0.0, error=None,
                                     remote_status="")
        provider = self.res.provider(job.profile)
        try:
            prepared = stages.prepare(job, self.res)
            uris = {role: provider.upload(path, shot=job.shot.name, field=f"inputs.{role}")
                    for role, path in prepared.inputs.items()}
            if flag.is_set():
                self._cancelled(job_id, remote=False)
                return
            body = provider.build_request(job.recipe, uris, shot=job.shot.name,
                                          context=stages.edit_payload(job))
            job = self.ledger.update(job_id, details={**job.details, "create_started": time.time(),
                                                      "input_steps": prepared.steps, "request": scrub(body)})
            submission = provider.create(job.recipe, body, shot=job.shot.name)
        except ProviderRateLimited as err:
            delay = err.retry_after if err.retry_after is not None else 10.0
            self._requeue(job_id, delay, err)
            return
        except CreateOutcomeUnknown as err:
            err.shot = job.shot.name
            err.field = err.field or "job.remote_task_id"
            self.ledger.transition(job_id, JobState.SUBMIT_UNKNOWN, error=err.to_dict())
            return
        except ProviderUnavailable as err:
            # Providers raise Unavailable on a create only when nothing was sent (connect
            # error); anything ambiguous is CreateOutcomeUnknown above.
            waits = int(self.ledger.get(job_id).details.get("unavailable_waits", 0)) + 1
            if waits > MAX_UNAVAILABLE_WAITS:  # nothing was created: failing is safe and clear
                err.fix = "check the service's address and your network, then retry the job"
                self._fail(job_id, err)
                return
            self._requeue(job_id, 15.0, err, unavailable_waits=waits)
            return
        except ShotLoopError as err:
            self._fail(job_id, err)
            return
        job = self.ledger.transition(
            job_id, JobState.SUBMITTED, remote_task_id=submission.task_id,
            estimated_credits=submission.estimated_credits,
            details={**job.details, "request": scrub(submission.body), "submitted_at": time.time()})
        if flag.is_set():
            self._cancelled(job_id, remote=True)
            return
        self._schedule(job_id, provider.poll_interval(0.0), "poll")

    def _requeue(self, job_id: str, delay: float, err: ShotLoopError, **notes: Any) -> None:
        job = self.ledger.get(job_id)
        details = {**{k: v for k, v in job.details.items() if k != "create_started"}, **notes}
        log.info("job %s waits %.1f s: %s", job_id, delay, err.message)
        self.ledger.transition(job_id, JobState.QUEUED, details=details, remote_status="WAITING",
                               error=err.to_dict())
        with self._cond:
            self._not_before[job_id] = time.monotonic() + delay
            self._cond.notify_all()

    def _poll(self, job_id: str) -> None:
        job = self.ledger.get(job_id)
        if job.state.final or not job.remote_task_id:
            return
        if self._flag(job_id).is_set():
            self._cancelled(job_id, remote=True)
            return
        provider = self.res.provider(job.profile)
        elapsed = time.time() - float(job.details.get("submitted_at", time.time()))
        try:
            status = provider.poll(job.remote_task_id)
        except (ProviderUnavailable, ProviderRateLimited) as err:
            # A task may exist remotely: keep polling (never resubmit), but say so.
            delay = getattr(err, "retry_after", None) or provider.poll_interval(elapsed)
            if job.state in (JobState.SUBMITTED, JobState.RUNNING):
                self.ledger.update(job_id, remote_status="UNREACHABLE")
            self._schedule(job_id, delay, "poll")
            return
        except ShotLoopError as err:
            self._fail(job_id, err)
            return
        if status.state in ("queued", "running"):
            if job.state is JobState.SUBMITTED and status.state == "running":
                self.ledger.transition(job_id, JobState.RUNNING, progress=status.progress,
                                       remote_status=status.remote_status)
            elif job.state in (JobState.SUBMITTED, JobState.RUNNING):
                self.ledger.update(job_id, progress=status.progress, remote_status=status.remote_status)
            self._schedule(job_id, provider.poll_interval(elapsed), "poll")
        elif status.state == "succeeded":
            if job.state is not JobState.DOWNLOADING:
                job = self.ledger.transition(
                    job_id, JobState.DOWNLOADING, progress=1.0, remote_status=status.remote_status,
                    credits=status.credits or 0.0)
            self._download(job_id, list(status.outputs))
        elif status.state == "failed":
            self._fail(job_id, TaskFailed(status.failure or "the service could not generate this shot",
                                          failure_code=status.failure_code, shot=job.shot.name,
                                          retryable=bool(status.retryable), field="task",
                                          fix=stages.failure_fix(status.failure_code)),
                       credits=status.credits or 0.0, remote_status=status.remote_status)
        elif status.state == "cancelled":
            self._cancelled(job_id, remote=False)
        else:  # lost
            self._fail(job_id, TaskLost("the service no longer knows this task", shot=job.shot.name,
                                        field="job.remote_task_id", fix="send the shot again"))

    def _download(self, job_id: str, outputs: list[str]) -> None:
        job = self.ledger.get(job_id)
        provider = self.res.provider(job.profile)
        if not outputs:
            self._fail(job_id, TaskFailed("the task succeeded without any output", shot=job.shot.name,
                                          field="task.output", fix="send the shot again"))
            return
        try:
            download = provider.fetch(outputs[0], self.res.work_dir(job_id) / "output.mp4",
                                      max_bytes=self.res.max_download_bytes(job.profile))
        except DownloadFailed as err:
            attempts = self._download_attempts.get(job_id, 0) + 1
            self._download_attempts[job_id] = attempts
            if err.retryable and attempts < MAX_DOWNLOAD_ATTEMPTS:
                log.info("job %s: download failed (%s), asking for fresh URLs", job_id, err.message)
                self._schedule(job_id, provider.poll_interval(0.0), "poll")
                return
            self._fail(job_id, err)
            return
        except ShotLoopError as err:
            self._fail(job_id, err)
            return
        if self._flag(job_id).is_set():
            self._cancelled(job_id, remote=False)
            return
        self.ledger.transition(job_id, JobState.INGESTING, progress=0.0, details={
            **job.details, "download": {"url": download.url, "sha256": download.sha256,
                                        "size": download.size, "path": str(download.path),
                                        "content_type": download.content_type},
            "downloaded_at": time.time()})
        self._schedule(job_id, 0.0, "ingest")  # runs on the media pool once this stage ends

    def _ingest(self, job_id: str) -> None:
        job = self.ledger.get(job_id)
        if job.state is not JobState.INGESTING:
            return
        flag = self._flag(job_id)
        clip = Path(job.details.get("download", {}).get("path", ""))
        if not stages.download_intact(job):
            # The agent restarted and the download is gone or damaged: fetch it again.
            self._schedule(job_id, 0.0, "poll")
            self.ledger.update(job_id, remote_status="REFETCH")
            return
        last = [0.0]

        def progress(fraction: float) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY_S:
                last[0] = now
                self.ledger.update(job_id, progress=float(fraction))

        try:
            version = stages.ingest(job, clip, self.res, progress=progress, cancel=flag)
        except ShotLoopError as err:
            if flag.is_set():
                self._cancelled(job_id, remote=False)
            else:
                self._fail(job_id, err)
            return
        except JobCancelled:
            self._cancelled(job_id, remote=False)
            return
        self.ledger.transition(job_id, JobState.PUBLISHED, version=version.number, progress=1.0)
        self.ledger.emit("version.published", {"job_id": job_id, "version": stages.version_dict(version)})
        shutil.rmtree(self.res.work_dir(job_id), ignore_errors=True)
        log.info("job %s published %s", job_id, version.name)
