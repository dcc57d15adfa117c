"""``NukeSession``: ShotLoop's life in one Nuke process (main thread API, never blocks).

Requests go through ``AgentClient`` (its worker thread does the waiting), the event feed
through ``EventFollower``; both come back with ``host.call_in_main_thread``. The session keeps
the script's state on its Root (event-feed position and awaited jobs: ids only), so reopening
a script picks up where it left: versions that landed meanwhile are loaded.
"""
from __future__ import annotations

import logging
import threading
import uuid
from typing import Any, Callable, Iterable, Sequence

import nuke

from shotloop import model
from shotloop.client import AgentAPI, AgentClient, AgentEvent
from shotloop.errors import JobNotFound, ShotLoopError
from shotloop.host import ShotSelection, VersionRef
from shotloop.model import Job, JobState, Recipe, ReviewStatus, Version

from . import imprint, settings, stack
from .connection import LazyAgent, guarded
from .feed import EventFollower, event_shot
from .loaders import VersionStackLoader, new_container
from .progress import BatchProgress

log = logging.getLogger(__name__)

TICK_S = 0.25


class NukeSession:
    def __init__(self, host: Any, *, connect: Callable[[], AgentAPI] | None = None,
                 wait_s: float | None = None) -> None:
        self.host = host
        self.loader = VersionStackLoader()
        self.agent = LazyAgent(connect or AgentAPI.connect)
        self.client = AgentClient(connect=lambda: self.agent, dispatch=host.call_in_main_thread,
                                  on_error=self.report_error)
        self.errors: list[str] = []
        self.batches: dict[str, BatchProgress] = {}
        self.last_recipe: Recipe | None = None
        self._batch_status: dict[str, str] = {}
        self._wait_s = wait_s
        self._jobs: dict[str, dict[str, str]] = {}  # awaited jobs: id -> shot, label, source
        self._seen = 0
        self._follower: EventFollower | None = None
        self._generation = 0
        self._watch_lock = threading.Lock()
        self._watched: frozenset[str] = frozenset()
        self._closed = threading.Event()
        self._ticking = threading.Event()
        self._ticker = threading.Thread(target=self._tick_loop, name="shotloop-nuke-ticker", daemon=True)
        self._ticker.start()

    # ------------------------------------------------------------------ script life
    def attach(self) -> None:
        """Take over the current script: its awaited jobs, its stacks, its feed position."""
        self.detach()
        state = settings.read_state()
        self._jobs = dict(state.jobs)
        self._seen = state.seq
        shots = {c.shot for c in self.host.containers()} | {j["shot"] for j in self._jobs.values()}
        with self._watch_lock:
            self._watched = frozenset(shots)
        if self._jobs or shots:
            self._follow(state.seq)
            self.reconcile(list(self._jobs))

    def detach(self) -> None:
        """The script closes: stop following it, dismiss its progress bars."""
        self._generation += 1
        if self._follower is not None:
            self._follower.stop()
            self._follower = None
        for batch in self.batches.values():
            batch.close()
        self.batches.clear()
        self._ticking.clear()
        self._jobs = {}
        self._seen = 0
        with self._watch_lock:
            self._watched = frozenset()

    def close(self) -> None:
        self.detach()
        self._closed.set()
        self._ticking.set()  # wake the ticker so it sees the close
        self.client.close()

    def save_state(self) -> None:
        """Write the feed position and awaited jobs to the Root (scripts using ShotLoop only)."""
        if not self._jobs and nuke.root().knob(settings.STATE) is None:
            return
        seq = self._follower.safe_cursor if self._follower is not None else self._seen
        settings.write_state(settings.ScriptState(seq=max(seq, 0), jobs=dict(self._jobs)))

    @property
    def awaited_jobs(self) -> dict[str, dict[str, str]]:
        return dict(self._jobs)

    def call(self, method: Callable[[Any], Any], on_done: Callable[[Any], None] | None = None,
             on_error: Callable[[ShotLoopError], None] | None = None) -> None:
        """Run ``method(agent)`` on the worker thread; its result (or its ShotLoopError) comes
        back on the main thread."""

        def done(outcome: tuple[bool, Any]) -> None:
            ok, value = outcome
            if ok:
                if on_done is not None:
                    on_done(value)
            else:
                (on_error or self.report_error)(value)

        self.client.call(guarded(method), done)

    # ------------------------------------------------------------------ watching
    def watch(self, shots: Iterable[str]) -> None:
        """Shots whose events matter to this script (thread-safe)."""
        with self._watch_lock:
            self._watched = self._watched | frozenset(shots)

    def _wanted(self, event: AgentEvent) -> bool:
        return event_shot(event) in self._watched

    def _follow(self, since: int) -> None:
        if self._follower is not None and self._follower.alive:
            return
        generation = self._generation
        kwargs = {"wait_s": self._wait_s} if self._wait_s else {}
        self._follower = EventFollower(
            self.client.api, self.host.call_in_main_thread,
            lambda events, seq: self._deliver(generation, events, seq),
            self._wanted, since=since, **kwargs).start()

    # ------------------------------------------------------------------ sending
    def submit(self, selections: Sequence[ShotSelection], recipe: Recipe, *, profile: str = "",
               batch: str | None = None) -> str:
        """Send collected shots (rendered already) through the send pass on the worker thread."""
        from .publish import nuke_send_plugins

        batch = batch or uuid.uuid4().hex[:12]
        self.last_recipe = recipe
        data = {"nuke_selections": list(selections), "recipe": recipe, "cut_path": settings.cut_path(),
                "fps": float(nuke.root()["fps"].value()), "store_root": settings.store_root(),
                "profile": profile, "batch": batch}
        self.watch(s.shot.name for s in selections)
        self._follow(self._seen)

        def work(api: AgentAPI) -> list[tuple[str, Any, Any]]:
            from shotloop.publish.run import new_context, run_pass

            context = new_context(api=api, **data)
            run_pass(context, nuke_send_plugins())  # raises every validation problem at once
            requests = context.data["requests"]
            self.watch(r.shot.name for r in requests)
            return list(zip(context.data["request_sources"], requests, context.data.get("submitted", [])))

        self._batch_status[batch] = "sending"
        self.call(work, lambda rows: self._submitted(batch, rows), lambda err: self._submitted(batch, err))
        return batch

    def batch_status(self, batch: str) -> str:
        """"sending", "running" or "done" ("" for a batch this session never sent)."""
        return self._batch_status.get(batch, "")

    def _submitted(self, batch: str, rows: list[tuple[str, Any, Any]] | ShotLoopError) -> None:
        if isinstance(rows, ShotLoopError):
            for err in getattr(rows, "errors", None) or [rows]:
                self.report_error(err)
            self._batch_status[batch] = "done"
            return
        jobs: dict[str, str] = {}
        for source, request, result in rows:
            if isinstance(result, Job):
                self._jobs[result.job_id] = {"shot": result.shot.name, "label": result.recipe.label,
                                             "source": source}
                jobs[result.job_id] = result.shot.name
            elif isinstance(result, ShotLoopError):
                self.report_error(result)
        self._batch_status[batch] = "running" if jobs else "done"
        if jobs:
            self.batches[batch] = BatchProgress(batch, jobs)
            self._ticking.set()
            self.save_state()
            self.reconcile(list(jobs))

    def cancel(self, job_id: str) -> None:
        self.call(lambda api: api.cancel(job_id))

    def cancel_batch(self, batch: str) -> None:
        progress = self.batches.get(batch)
        if progress is None:
            return
        progress.cancelling = True
        for job_id in progress.open_jobs():
            self.cancel(job_id)

    # ------------------------------------------------------------------ events
    def _deliver(self, generation: int, events: list[AgentEvent], seq: int) -> None:
        if generation != self._generation or self._closed.is_set():
            return
        self._seen = max(self._seen, seq)
        changed = False
        for event in events:
            if event.kind == "version.published":
                version = model.from_dict(Version, event.payload["version"])
                changed |= self.show_version(version, job_id=str(event.payload.get("job_id") or event.job_id))
            elif event.kind == "version.review":
                p = event.payload
                self._apply_review(str(p["shot"]), str(p["label"]), int(p["number"]), str(p["status"]),
                                   str(p.get("note", "")))
            else:
                changed |= self._job_event(event)
        self._drop_finished_batches()
        if changed:
            self.save_state()

    def _job_event(self, event: AgentEvent) -> bool:
        payload = event.payload
        state = str(payload.get("state", "")) or None
        progress = payload.get("progress")
        if state == JobState.PUBLISHED.value and event.job_id in self._jobs:
            # done for the agent, not yet for the script: the batch ends when the version is in
            # its stack ("version.published" follows; reconcile in case it went missing)
            state, progress = None, 1.0
            self.reconcile([event.job_id])
        for batch in self.batches.values():
            batch.update(event.job_id, state, progress)
        if state in (JobState.FAILED.value, JobState.CANCELLED.value) and event.job_id in self._jobs:
            del self._jobs[event.job_id]
            if state == JobState.FAILED.value and payload.get("error"):
                self.report_error(ShotLoopError.from_dict(dict(payload["error"])))
            return True
        return False

    def _drop_finished_batches(self) -> None:
        for progress in self.batches.values():
            progress.render()
        for batch in [b for b, p in self.batches.items() if p.finished]:
            self.batches.pop(batch).close()
            self._batch_status[batch] = "done"
        if not self.batches:
            self._ticking.clear()

    # ------------------------------------------------------------------ versions
    def show_version(self, version: Version, *, job_id: str = "", create: bool = False) -> bool:
        """Put ``version`` into its stack (creating the stack for jobs sent from here)."""
        root = settings.store_root()
        awaited = self._jobs.pop(job_id, None) if job_id else None
        if awaited is None and root and not _under(version.path, root):
            return False  # another project's store
        found = self.loader.find_for(version.shot, version.label)
        ref = VersionRef.of(version)
        if found is None:
            if awaited is None and not create:
                return False
            source = awaited["source"] if awaited else ""
            node_id = self.loader.load(new_container(version.shot, version.label, source_id=source), ref,
                                       colorspace=version.colorspace, near=self.host.node(source))
            node = self.host.node(node_id)
        else:
            node, container = found
            self.loader.update(container, ref, colorspace=version.colorspace)
        stack.set_take(node, version.number, review=version.review.value, seed=version.seed,
                       model=version.model, note=version.note, job_id=version.job_id)
        stack.refresh_look(node)
        self.watch([version.shot])
        for batch in self.batches.values():
            batch.update(job_id, JobState.PUBLISHED.value, 1.0)
        return True

    def show_versions(self, versions: Sequence[Version], *, create: bool = True) -> None:
        for version in sorted(versions, key=lambda v: (v.label, v.number)):
            self.show_version(version, create=create)
        self._drop_finished_batches()

    def load_versions(self, shot: str, label: str | None = None) -> None:
        """Fetch the store's versions of ``shot`` and fill (or create) its stacks."""
        self.watch([shot])
        self._follow(self._seen)
        root = settings.store_root()
        self.call(lambda api: api.versions(shot, label=label, root=root), self.show_versions)

    def refresh(self, node: Any) -> None:
        container = imprint.read_container(node)
        if container is not None:
            self.load_versions(container.shot, container.label)

    def reconcile(self, job_ids: list[str]) -> None:
        """Ask the agent where awaited jobs are (they may have finished while nobody listened)."""
        if not job_ids:
            return
        root = settings.store_root()

        def work(api: AgentAPI) -> list[tuple[str, Job | None, Version | None]]:
            found: list[tuple[str, Job | None, Version | None]] = []
            for job_id in job_ids:
                try:
                    job = api.job(job_id)
                except JobNotFound:
                    found.append((job_id, None, None))
                    continue
                version = None
                if job.state is JobState.PUBLISHED and job.version is not None:
                    versions = api.versions(job.shot.name, label=job.recipe.label, root=root or job.store_root)
                    version = next((v for v in versions if v.number == job.version), None)
                found.append((job_id, job, version))
            return found

        self.call(work, self._reconciled)

    def _reconciled(self, rows: list[tuple[str, Job | None, Version | None]]) -> None:
        changed = False
        for job_id, job, version in rows:
            if job_id not in self._jobs:
                continue
            if job is None or job.state in (JobState.FAILED, JobState.CANCELLED):
                del self._jobs[job_id]
                changed = True
                if job is not None and job.error:
                    self.report_error(ShotLoopError.from_dict(dict(job.error)))
            elif version is not None:
                changed |= self.show_version(version, job_id=job_id)
            if job is not None:
                for batch in self.batches.values():
                    batch.update(job_id, job.state.value, job.progress)
        self._drop_finished_batches()
        if changed:
            self.save_state()

    # ------------------------------------------------------------------ review
    def review(self, node: Any, status: ReviewStatus | str, note: str = "") -> None:
        container = imprint.read_container(node)
        number = stack.current(node)
        if container is None or number is None:
            return
        shot, label, root = container.shot, container.label, settings.store_root()
        self.call(lambda api: api.review(shot, label, number, ReviewStatus(status), note, root=root),
                  lambda v: self._apply_review(v.shot, v.label, v.number, v.review.value, v.note))

    def _apply_review(self, shot: str, label: str, number: int, status: str, note: str) -> None:
        found = self.loader.find_for(shot, label)
        if found is None:
            return
        node = found[0]
        if number not in stack.numbers(node):
            return
        stack.set_take(node, number, review=status, note=note)
        stack.refresh_look(node)

    # ------------------------------------------------------------------ errors and cancel
    def report_error(self, err: ShotLoopError) -> None:
        """One line for the artist (console and the progress bar); details to the log."""
        line = err.message
        self.errors.append(line)
        log.warning("%s", line)
        nuke.warning(f"ShotLoop: {line}")


    def _tick_loop(self) -> None:
        while not self._closed.is_set():
            self._ticking.wait()
            if self._closed.wait(TICK_S):
                return
            if self._ticking.is_set():
                try:
                    self.host.call_in_main_thread(self._tick)
                except Exception:  # Nuke is shutting down
                    log.debug("tick not delivered", exc_info=True)

    def _tick(self) -> None:
        """Main thread, a few times a second while batches run: honour Cancel."""
        for batch, progress in list(self.batches.items()):
            if progress.cancelled() and not progress.cancelling:
                self.cancel_batch(batch)
        self._drop_finished_batches()


def _under(path: str, root: str) -> bool:
    import os

    try:
        return os.path.commonpath([os.path.abspath(path), os.path.abspath(root)]) == os.path.abspath(root)
    except ValueError:
        return False
