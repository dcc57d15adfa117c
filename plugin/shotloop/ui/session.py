"""The panel's observable state: profile, jobs and versions, fed by the agent's event feed.

This is the one place that talks to the agent (through ``AgentClient``, whose worker
threads do the waiting) and the one place that consumes its events (``handle_event``),
as krita-ai-diffusion's model does. Widgets bind to the signals below and call the
methods, which all return at once.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from qtpy.QtCore import QObject, QTimer, Signal

from .. import model
from ..client import AgentAPI, AgentClient, AgentEvent
from ..errors import AgentUnavailable, ShotLoopError
from ..model import Job, JobRequest, JobState, ReviewStatus, Version
from .agent_link import AgentLink, ClientSlot
from .dispatch import QtDispatcher
from .profile import ProfileInfo

log = logging.getLogger(__name__)

Dispatch = Callable[[Callable[[], None]], None]
FETCH_DELAY_MS = 150
PROFILE_DELAY_MS = 1000
RETRY_DELAY_MS = 5000


def version_root(version: Version) -> str:
    """The store root a version lives in (``<root>/<shot>/<label>/vNNN``)."""
    return str(Path(version.path).parents[2]) if version.path else ""


class PanelSession(QObject):
    profile_changed = Signal(object)  # ProfileInfo
    jobs_reset = Signal()
    job_changed = Signal(object)  # Job
    versions_changed = Signal(str)  # shot
    version_changed = Signal(object)  # Version (published, or its review changed)
    sent = Signal(list)  # [(JobRequest, Job | ShotLoopError)]
    send_failed = Signal(list)  # [one line per problem]
    message = Signal(str, str)  # level ("error" | "info"), one line
    connection_changed = Signal(bool)

    def __init__(self, *, connect: Callable[[], AgentAPI] | None = None,
                 dispatch: Dispatch | None = None, profile: str = "",
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._qt_dispatch = QtDispatcher(self)
        self._qt_dispatch.failed.connect(lambda text: self.message.emit("error", text))
        self._dispatch: Dispatch = dispatch or self._qt_dispatch
        self.link = AgentLink(connect or AgentAPI.connect)
        self.profile_name = profile
        self.profile: ProfileInfo | None = None
        self.jobs: dict[str, Job] = {}
        self.versions: dict[str, dict[tuple[str, int], Version]] = {}
        self.roots: dict[str, set[str]] = {}
        self.connected: bool | None = None  # unknown until the first answer
        self.slot = ClientSlot()
        self._following = "idle"  # idle | starting | following
        self._pending: set[str] = set()
        self._fetch_timer = self._single_shot(FETCH_DELAY_MS, self._fetch_pending)
        self._profile_timer = self._single_shot(PROFILE_DELAY_MS, self.refresh_profile)
        self._retry_timer = self._single_shot(RETRY_DELAY_MS, self.start)

    def _single_shot(self, ms: int, slot: Callable[[], None]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(slot)
        return timer

    # ------------------------------------------------------------------ lifecycle
    def dispatch(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the GUI (host main) thread, unless the panel closed meanwhile."""
        slot = self.slot
        self._dispatch(lambda: None if slot.closed else fn())

    def set_dispatch(self, dispatch: Dispatch | None) -> None:
        self._dispatch = dispatch or self._qt_dispatch

    @property
    def client(self) -> AgentClient:
        if self.slot.client is None:
            link = self.link
            self.slot.client = AgentClient(lambda: link, dispatch=self.dispatch,  # type: ignore[arg-type,return-value]
                                           on_error=self._failed)
        return self.slot.client

    @property
    def following(self) -> bool:
        return self._following == "following"

    def start(self) -> None:
        """Connect (starting the agent if needed), load profile and jobs, follow events.

        Safe to call again: after the agent could not be reached it tries once more.
        """
        if self._following != "idle" or self.slot.closed:
            return
        self._following = "starting"
        self.refresh_profile()

        def snapshot(api: AgentAPI) -> tuple[list[Job], int]:
            cursor = 0
            while True:  # skip history: the job list below already holds its outcome
                events, last = api.events(cursor, wait_s=0)
                if not events or last <= cursor:
                    break
                cursor = last
            return api.jobs(), cursor

        def loaded(result: tuple[list[Job], int]) -> None:
            jobs, cursor = result
            self._set_connected(True)
            self.jobs = {j.job_id: j for j in jobs}
            for job in jobs:
                self._learn_root(job.shot.name, job.store_root)
            self.jobs_reset.emit()
            self._following = "following"
            self.client.follow(self.handle_event, since=cursor)

        def failed(err: ShotLoopError) -> None:
            self._following = "idle"
            self._failed(err)
            self._retry_timer.start()  # until the agent answers (the Connect button too)

        self.call(snapshot, loaded, failed)

    def close(self) -> None:
        self.slot.close()
        self._following = "idle"

    def _failed(self, err: ShotLoopError) -> None:
        """A failed call nobody waits on: one line for the artist."""
        if isinstance(err, AgentUnavailable):
            self._set_connected(False)
        self.message.emit("error", err.message)

    def _set_connected(self, value: bool) -> None:
        if value != self.connected:
            self.connected = value
            self.connection_changed.emit(value)

    def call(self, method: Callable[[AgentAPI], Any], on_done: Callable[[Any], None] | None = None,
             on_error: Callable[[ShotLoopError], None] | None = None) -> None:
        """``method(api)`` on the client's worker; its result, or its error, comes back here.

        Errors never leave the worker as exceptions: each reaches ``on_error`` (or, without
        one, ``message`` as one line); a lost agent also flips ``connection_changed``.
        """

        def guarded(api: AgentAPI) -> tuple[bool, Any]:
            try:
                return True, method(api)
            except ShotLoopError as err:
                return False, err
            except Exception as exc:  # a bug: the traceback to the log, one line to the artist
                log.exception("ShotLoop panel call failed")
                return False, ShotLoopError(f"internal error: {exc}", fix="see the ShotLoop log")

        def done(outcome: tuple[bool, Any]) -> None:
            ok, value = outcome
            if ok:
                self._set_connected(True)
                if on_done is not None:
                    on_done(value)
                return
            if isinstance(value, AgentUnavailable):
                self._set_connected(False)
            if on_error is not None:
                on_error(value)
            else:
                self._failed(value)

        self.client.call(guarded, done)

    # ------------------------------------------------------------------ profile and send
    def refresh_profile(self) -> None:
        name = self.profile_name

        def got(data: dict) -> None:
            self.profile = ProfileInfo.from_dict(data)
            self.profile_changed.emit(self.profile)

        self.call(lambda api: api.profile(name), got)

    def send(self, requests: Sequence[JobRequest]) -> None:
        """Run the send pass (collect, validate, submit) on the worker thread."""
        reqs = list(requests)
        profile = self.profile_name
        for request in reqs:
            self._learn_root(request.shot.name, request.store_root)

        def run(api: AgentAPI) -> list:
            from ..publish.send import send

            return send(reqs, api, profile=profile)

        def done(results: list) -> None:
            pairs = list(zip(reqs, results))
            for _, result in pairs:
                if isinstance(result, Job):
                    self._store_job(result)
            self.sent.emit(pairs)
            self._profile_timer.start()

        def failed(err: ShotLoopError) -> None:
            from .messages import error_lines

            self.send_failed.emit(error_lines(err))

        self.call(run, done, failed)

    # ------------------------------------------------------------------ jobs
    def cancel(self, job_id: str) -> None:
        self.call(lambda api: api.cancel(job_id), self._store_job)

    def retry(self, job_id: str) -> None:
        self.call(lambda api: api.retry(job_id), self._store_job)

    def refresh_jobs(self) -> None:
        def got(jobs: list[Job]) -> None:
            self.jobs = {j.job_id: j for j in jobs}
            self.jobs_reset.emit()

        self.call(lambda api: api.jobs(), got)

    def _store_job(self, job: Job) -> None:
        current = self.jobs.get(job.job_id)
        if current is not None and job.updated_at < current.updated_at:
            # An older read than what the feed already told us: keep the newer state,
            # take the fields the feed does not carry.
            job = replace(current, credits=job.credits, estimated_credits=job.estimated_credits,
                          details=job.details, remote_task_id=job.remote_task_id)
        self.jobs[job.job_id] = job
        self._learn_root(job.shot.name, job.store_root)
        self.job_changed.emit(job)

    def _fetch_pending(self) -> None:
        ids, self._pending = sorted(self._pending), set()
        if not ids:
            return

        def fetch(api: AgentAPI) -> list[Job]:
            if len(ids) > 8:
                wanted = set(ids)
                return [j for j in api.jobs() if j.job_id in wanted]
            return [api.job(i) for i in ids]

        def got(jobs: list[Job]) -> None:
            for job in jobs:
                self._store_job(job)

        self.call(fetch, got)

    def _want(self, job_id: str) -> None:
        self._pending.add(job_id)
        if not self._fetch_timer.isActive():
            self._fetch_timer.start()

    # ------------------------------------------------------------------ events
    def handle_event(self, event: AgentEvent) -> None:
        """The one consumer of the agent's event feed (runs on the GUI thread)."""
        self._set_connected(True)
        payload = event.payload
        if event.kind in ("job.added", "job.state", "job.progress"):
            job = self.jobs.get(event.job_id)
            if job is None or event.kind == "job.added":
                self._want(event.job_id)
                return
            if event.time < job.updated_at:
                return  # history the job list already holds
            changes: dict[str, Any] = {"updated_at": event.time}
            if "state" in payload:
                changes["state"] = JobState(payload["state"])
            for key in ("progress", "remote_status", "version"):
                if key in payload:
                    changes[key] = payload[key]
            if event.kind == "job.state":
                changes["error"] = payload.get("error")
                self._want(event.job_id)  # credits and estimates change with the state
                if JobState(payload.get("state", job.state)).final:
                    self._profile_timer.start()
            updated = replace(job, **changes)
            self.jobs[job.job_id] = updated
            self.job_changed.emit(updated)
        elif event.kind == "version.published":
            version = model.from_dict(Version, payload["version"])
            self._store_version(version)
        elif event.kind == "version.review":
            self._apply_review(str(payload.get("shot")), str(payload.get("label")),
                               int(payload.get("number", 0)), str(payload.get("status", "pending")),
                               str(payload.get("note", "")))

    # ------------------------------------------------------------------ versions
    def add_root(self, shot: str, root: str) -> None:
        self._learn_root(shot, root)

    def _learn_root(self, shot: str, root: str) -> None:
        self.roots.setdefault(shot, set()).add(root or "")

    def shots(self) -> list[str]:
        names = set(self.roots) | {j.shot.name for j in self.jobs.values()} | set(self.versions)
        return sorted(names)

    def load_versions(self, shot: str) -> None:
        roots = sorted(self.roots.get(shot) or {""})

        def fetch(api: AgentAPI) -> list[Version]:
            found: dict[tuple[str, str, int], Version] = {}
            for root in roots:
                for version in api.versions(shot, root=root):
                    found[(version_root(version), version.label, version.number)] = version
            return list(found.values())

        def got(versions: list[Version]) -> None:
            self.versions[shot] = {(v.label, v.number): v for v in versions}
            self.versions_changed.emit(shot)

        self.call(fetch, got)

    def versions_of(self, shot: str) -> list[Version]:
        return sorted(self.versions.get(shot, {}).values(), key=lambda v: (v.label, v.number))

    def _store_version(self, version: Version) -> None:
        self.versions.setdefault(version.shot, {})[(version.label, version.number)] = version
        self._learn_root(version.shot, version_root(version))
        self.version_changed.emit(version)
        self.versions_changed.emit(version.shot)

    def _apply_review(self, shot: str, label: str, number: int, status: str, note: str) -> None:
        version = self.versions.get(shot, {}).get((label, number))
        if version is None:
            return
        updated = replace(version, review=ReviewStatus(status), note=note)
        self.versions[shot][(label, number)] = updated
        self.version_changed.emit(updated)

    def review(self, version: Version, status: ReviewStatus | str, note: str) -> None:
        root = version_root(version)
        self.call(lambda api: api.review(version.shot, version.label, version.number, status, note,
                                         root=root), self._store_version)

    def replay(self, version: Version, on_done: Callable[[Job], None] | None = None) -> None:
        root = version_root(version)

        def done(job: Job) -> None:
            self._store_job(job)
            self.message.emit("info", f"{version.name}: sent again as a new job (same recipe and seed)")
            if on_done is not None:
                on_done(job)

        self.call(lambda api: api.replay(version.shot, version.label, version.number, root=root), done)

    def provenance(self, version: Version, on_done: Callable[[dict], None]) -> None:
        root = version_root(version)
        self.call(lambda api: api.provenance(version.shot, version.label, version.number, root=root),
                  on_done)

    def recipe_diff(self, a: Version, b: Version,
                    on_done: Callable[[list[tuple[str, Any, Any]]], None]) -> None:
        """Fields that differ between the recipes of two versions (provenance on the agent)."""

        def fetch(api: AgentAPI) -> list[tuple[str, Any, Any]]:
            from ..store.provenance import recipe_diff

            left = api.provenance(a.shot, a.label, a.number, root=version_root(a))
            right = api.provenance(b.shot, b.label, b.number, root=version_root(b))
            return recipe_diff(left, right)

        self.call(fetch, on_done)

    def jobs_for(self, shots: Iterable[str]) -> list[Job]:
        wanted = set(shots)
        return [j for j in self.jobs.values() if j.shot.name in wanted]
