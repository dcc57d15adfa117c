"""One live connection to the agent for the open .blend, and what its answers do to the scene.

Requests go through ``AgentClient`` (worker thread), events through ``EventFollower``;
both come back through the main-thread queue. Handling is idempotent, so replaying events
after a reload (from the seq saved on the scene) or a catch-up by job id cannot load a
version twice. Jobs sent from a scene are listed on it (``scene.shotloop.jobs``) so a
reopened .blend knows what it is still waiting for.
"""
from __future__ import annotations

import logging
from collections import OrderedDict, deque
from typing import Any, Callable, Iterator, Mapping, Sequence

import bpy

from shotloop import model
from shotloop.client import AgentAPI, AgentClient, AgentEvent
from shotloop.errors import ShotLoopError
from shotloop.host import Container, VersionRef
from shotloop.model import FINAL_STATES, Job, JobRequest, JobState, Recipe, ReviewStatus, Version

from . import compat, imprint, send
from .collect import Collected
from .dispatch import MainThreadQueue
from .feed import POLL_S, EventFollower
from .host import BlenderHost
from .loaders import VseStripLoader

log = logging.getLogger(__name__)

_STASH_MAX = 2000
_PENDING = object()  # following is being set up on the client's worker
_FINAL = {s.value for s in FINAL_STATES}


class Session:
    def __init__(self, connect: Callable[[], AgentAPI], *, poll_s: float = POLL_S) -> None:
        self.queue = MainThreadQueue(on_error=self.report)
        self.client = AgentClient(connect, dispatch=self.queue.post, on_error=self.report)
        self.host = BlenderHost(self.queue.post)
        self.poll_s = poll_s
        self.follower: EventFollower | object | None = None
        self.messages: deque[str] = deque(maxlen=50)
        self._stash: OrderedDict[str, list[AgentEvent]] = OrderedDict()  # events of jobs not listed yet
        self._undo = ""
        self._dirty = False

    # ------------------------------------------------------------------ lifecycle
    def resume(self) -> None:
        """After register or loading a .blend: follow from the saved seq and catch up by job id.

        A .blend that never sent anything does not reach for the agent (nor start it)."""
        if isinstance(self.follower, EventFollower):
            self.follower.stop()
        self.follower = None
        if any(True for _ in self._all_items()):
            self.follow(saved_seq())
            self.refresh_jobs()

    def ensure_following(self) -> None:
        """Before the first send: follow from the agent's current end, fetched on the client's
        worker ahead of the submit, so no event of the new jobs can fall before the cursor."""
        if self.follower is not None:
            return
        if any(True for _ in self._all_items()):
            self.follow(saved_seq())
            return
        self.follower = _PENDING
        self.client.call(current_seq, self._follow_from)

    def _follow_from(self, seq: int | None) -> None:
        if seq is None:
            self.follower = None  # the agent did not answer: try again on the next send
        elif self.follower is _PENDING:
            self.follow(seq)

    def follow(self, since: int) -> None:
        if isinstance(self.follower, EventFollower):
            self.follower.stop()
        self.follower = EventFollower(self.client.api, self.queue.post, self.on_event, since=since,
                                      poll_s=self.poll_s)
        self.follower.start()

    def close(self, join_s: float = 0.0) -> None:
        if isinstance(self.follower, EventFollower):
            self.follower.stop(join_s)
        self.client.close()

    def flush(self) -> None:
        """After a drain: one undo step for what landed, and a repaint."""
        if self._undo:
            compat.undo_push(self._undo)
            self._undo = ""
        if self._dirty:
            compat.redraw_sequencer()
            self._dirty = False

    def tick(self) -> float:
        """The timer body (tests and the benchmark call it directly)."""
        interval = self.queue.tick()
        self.flush()
        return interval

    def report(self, err: ShotLoopError) -> None:
        for each in getattr(err, "errors", None) or [err]:  # a failed validation lists every problem
            self.messages.append(each.message)
            log.warning("%s", each.message)
        try:
            scene = compat.edit_scene()
            if scene is not None:
                scene.shotloop.status = err.message
        except (AttributeError, RuntimeError):
            pass
        self._dirty = True

    # ------------------------------------------------------------------ artist actions
    def send(self, scene: Any, recipe: Recipe, *, profile: str = "") -> Collected:
        store_root = send.store_root_for(scene)
        scene_name = scene.name
        self.ensure_following()
        collected = send.send_selected(self.host, recipe, client=self.client, store_root=store_root,
                                       profile=profile, on_done=lambda req, res: self._sent(scene_name, req, res))
        for err in collected.errors:
            self.report(err)
        if collected.selections:
            scene.shotloop.status = f"sending {len(collected.selections)} shot(s)"
        return collected

    def cancel(self, job_id: str) -> None:
        self.client.cancel(job_id, on_done=self.on_job)

    def retry(self, job_id: str) -> None:
        self.client.call(lambda api: api.retry(job_id), self.on_job)

    def review(self, shot: str, label: str, number: int, status: ReviewStatus, note: str, root: str) -> None:
        self.client.review(shot, label, number, status, note, on_done=self._reviewed, root=root)

    def replay(self, scene: Any, shot: str, label: str, number: int, root: str) -> None:
        scene_name = scene.name
        self.ensure_following()
        self.client.replay(shot, label, number, root=root,
                           on_done=lambda job: self._add_jobs(scene_name, [job]))

    def refresh_jobs(self) -> None:
        """Ask for every listed job that has not landed yet (resume, or a manual refresh)."""
        for _scene, item in self._all_items():
            if item.landed or (item.state in _FINAL and item.state != JobState.PUBLISHED.value):
                continue
            job_id = item.job_id
            self.client.call(lambda api, j=job_id: api.job(j), self.on_job)

    def load_versions(self, scene: Any, source_id: str, shot: str, root: str) -> None:
        """Load every published version of a shot that has no strip yet (not made current)."""
        scene_name = scene.name

        def loaded(versions: list[Version]) -> None:
            target = bpy.data.scenes.get(scene_name)
            if target is not None:
                for v in versions:
                    self._load(target, source_id, v, make_current=False)

        self.client.versions(shot, loaded, root=root)

    # ------------------------------------------------------------------ answers (main thread)
    def _sent(self, scene_name: str, requests: Sequence[JobRequest], results: Sequence[Job | ShotLoopError]) -> None:
        jobs = [r for r in results if isinstance(r, Job)]
        for r in results:
            if isinstance(r, ShotLoopError):
                self.report(r)
        self._add_jobs(scene_name, jobs)
        scene = bpy.data.scenes.get(scene_name)
        if scene is not None and jobs:
            scene.shotloop.status = f"sent {len(jobs)} of {len(results)} shot(s)"

    def _add_jobs(self, scene_name: str, jobs: Sequence[Job]) -> None:
        scene = bpy.data.scenes.get(scene_name)
        if scene is None:
            return
        listed = {item.job_id for item in scene.shotloop.jobs}
        for job in jobs:
            if job.job_id not in listed:
                item = scene.shotloop.jobs.add()
                item.job_id, item.shot, item.shot_id = job.job_id, job.shot.name, job.shot.shot_id
                item.label = job.recipe.label
            self.on_job(job)
            for event in self._stash.pop(job.job_id, []):
                self.on_event(event)
        self._dirty = True

    def on_job(self, job: Job) -> None:
        self._update_items(job.job_id, {"state": job.state.value, "progress": job.progress,
                                        "remote_status": job.remote_status, "error": job.error,
                                        "version": job.version})
        if job.state == JobState.PUBLISHED and job.version and any(not i.landed for _, i in self._items(job.job_id)):
            number = job.version
            self.client.versions(job.shot.name, lambda vs: [self.land(v) for v in vs if v.number == number],
                                 label=job.recipe.label, root=job.store_root)

    def _reviewed(self, version: Version) -> None:
        self._apply_review(version.shot, version.label, version.number, version.review.value, version.note)

    def on_event(self, event: AgentEvent) -> None:
        payload = event.payload
        if event.kind == "version.review":
            self._apply_review(str(payload.get("shot", "")), str(payload.get("label", "")),
                               int(payload.get("number", 0)), str(payload.get("status", "pending")),
                               str(payload.get("note", "")))
        elif event.job_id and not any(True for _ in self._items(event.job_id)):
            self._stash_event(event)
        elif event.kind in ("job.state", "job.progress", "job.added"):
            self._update_items(event.job_id, payload.get("job", payload))
        elif event.kind == "version.published" and isinstance(payload.get("version"), Mapping):
            self.land(model.from_dict(Version, payload["version"]), job_id=event.job_id)
        self._save_seq(event.seq)

    # ------------------------------------------------------------------ landing versions
    def land(self, version: Version, *, job_id: str = "") -> None:
        job_id = job_id or version.job_id
        for scene, item in list(self._items(job_id)):
            try:
                self._load(scene, item.shot_id, version, make_current=True)
            except ShotLoopError as err:  # e.g. the source strip was deleted meanwhile
                item.message = err.message
                self.report(err)
                continue
            item.landed, item.version, item.state, item.progress = True, version.number, JobState.PUBLISHED.value, 1.0

    def _load(self, scene: Any, source_id: str, version: Version, *, make_current: bool) -> None:
        loader = VseStripLoader(scene)
        existed = loader.find(source_id, version.label, version.number) is not None
        container = Container("", version.shot, version.label, version.number, loader=loader.name,
                              source_id=source_id)
        loader.load(container, VersionRef.of(version), colorspace=version.colorspace,
                    make_current=make_current and not existed, review=version.review, note=version.note)
        if not existed:
            self._undo = f"ShotLoop: {version.name} landed"
        self._dirty = True

    def _apply_review(self, shot: str, label: str, number: int, status: str, note: str) -> None:
        for scene in bpy.data.scenes:
            loader = VseStripLoader(scene)
            for c in {c.source_id: c for _s, c in imprint.containers(scene)
                      if (c.shot, c.label, c.version) == (shot, label, number)}.values():
                loader.set_review(c.source_id, label, number, status, note)
                self._undo = f"ShotLoop: {shot} {label} v{number:03d} {status}"
        self._dirty = True

    # ------------------------------------------------------------------ job list
    def _all_items(self) -> Iterator[tuple[Any, Any]]:
        for scene in bpy.data.scenes:
            props = getattr(scene, "shotloop", None)
            if props is None:
                continue
            for item in props.jobs:
                yield scene, item

    def _items(self, job_id: str) -> Iterator[tuple[Any, Any]]:
        return ((s, i) for s, i in self._all_items() if i.job_id == job_id)

    def _update_items(self, job_id: str, data: Mapping[str, Any]) -> None:
        for _scene, item in self._items(job_id):
            if "state" in data and data["state"]:
                item.state = str(data["state"])
            if data.get("progress") is not None:
                item.progress = min(1.0, max(0.0, float(data["progress"])))
            if "remote_status" in data:
                item.remote_status = str(data.get("remote_status") or "")
            error = data.get("error")
            if isinstance(error, Mapping):
                item.message = str(error.get("message") or error.get("problem") or "")
            elif item.state != JobState.FAILED.value:
                item.message = ""
            if data.get("version"):
                item.version = int(data["version"])
        self._dirty = True

    def _stash_event(self, event: AgentEvent) -> None:
        self._stash.setdefault(event.job_id, []).append(event)
        self._stash.move_to_end(event.job_id)
        while len(self._stash) > _STASH_MAX:
            self._stash.popitem(last=False)

    def _save_seq(self, seq: int) -> None:
        for scene in bpy.data.scenes:
            props = getattr(scene, "shotloop", None)
            if props is not None and len(props.jobs) and props.last_event_seq < seq:
                props.last_event_seq = seq


def current_seq(api: AgentAPI) -> int | None:
    """The agent's newest event seq (worker thread; ``since=-1`` asks for it without events);
    None when the agent cannot say."""
    try:
        _events, last = api.events(-1, wait_s=0)
    except ShotLoopError as err:
        log.info("cannot read the agent's event seq: %s", err.message)
        return None
    return last


def saved_seq() -> int:
    """Where to resume the feed: the oldest seq saved by a scene that still waits for a job."""
    waiting, seen = [], [0]
    for scene in bpy.data.scenes:
        props = getattr(scene, "shotloop", None)
        if props is None or not len(props.jobs):
            continue
        seen.append(props.last_event_seq)
        if any(not i.landed and i.state not in _FINAL or (i.state == JobState.PUBLISHED.value and not i.landed)
               for i in props.jobs):
            waiting.append(props.last_event_seq)
    return min(waiting) if waiting else max(seen)
