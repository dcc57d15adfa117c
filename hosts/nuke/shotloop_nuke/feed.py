"""Follow the agent's event feed on a worker thread; only what the script cares about reaches
the main thread, in few callbacks.

Job events of one poll are coalesced into one main-thread call (the latest state and
progress per job); each version event gets its own call, so no single call does much. Events
for shots the script does not watch are dropped on the worker, so replaying a long feed after
reopening a script costs the main thread nothing.
"""
from __future__ import annotations

import logging
import threading
from typing import Callable, Sequence

from shotloop.client import AgentAPI, AgentEvent
from shotloop.errors import ShotLoopError

log = logging.getLogger(__name__)

WAIT_S = 10.0
JOB_KINDS = ("job.added", "job.state", "job.progress")

Deliver = Callable[[list[AgentEvent], int], None]


def event_shot(event: AgentEvent) -> str:
    payload = event.payload
    if event.kind == "version.published":
        return str((payload.get("version") or {}).get("shot", ""))
    return str(payload.get("shot", ""))


def coalesce(events: Sequence[AgentEvent]) -> list[list[AgentEvent]]:
    """Split into main-thread calls: runs of job events (latest per job and kind), and each
    version event alone; order between job events and version events is kept."""
    chunks: list[list[AgentEvent]] = []
    pending: dict[tuple[str, str], AgentEvent] = {}
    for event in events:
        if event.kind in JOB_KINDS:
            key = (event.job_id, "progress" if event.kind == "job.progress" else event.kind)
            if event.kind == "job.state":
                pending.pop((event.job_id, "progress"), None)
            pending.pop(key, None)
            pending[key] = event
            continue
        if pending:
            chunks.append(sorted(pending.values(), key=lambda e: e.seq))
            pending = {}
        chunks.append([event])
    if pending:
        chunks.append(sorted(pending.values(), key=lambda e: e.seq))
    return chunks


class EventFollower:
    """A daemon thread long-polling ``api().events`` from ``since``."""

    def __init__(self, api: Callable[[], AgentAPI], dispatch: Callable[[Callable[[], None]], None],
                 deliver: Deliver, wanted: Callable[[AgentEvent], bool], since: int = 0,
                 wait_s: float = WAIT_S) -> None:
        self._api = api
        self._dispatch = dispatch
        self._deliver = deliver
        self._wanted = wanted
        self._cursor = int(since)
        self._wait_s = wait_s
        self._lock = threading.Lock()
        self._inflight: dict[int, int] = {}  # id(chunk) -> first seq, posted but not yet run
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="shotloop-nuke-events", daemon=True)

    @property
    def cursor(self) -> int:
        with self._lock:
            return self._cursor

    @property
    def safe_cursor(self) -> int:
        """The feed position a script may store: everything before it has been handled."""
        with self._lock:
            if not self._inflight:
                return self._cursor
            return min(self._inflight.values()) - 1

    def start(self) -> "EventFollower":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive() and not self._stop.is_set()

    def _run(self) -> None:
        backoff = 0.5
        while not self._stop.is_set():
            try:
                events, last = self._api().events(self.cursor, wait_s=self._wait_s)
                backoff = 0.5
            except ShotLoopError as err:
                if self._stop.is_set():
                    return
                log.warning("ShotLoop event feed: %s", err.message)
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            except Exception:  # a bug must be logged, never kill the feed silently
                log.exception("ShotLoop event feed failed")
                self._stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            if self._stop.is_set():
                return
            relevant = [e for e in events if self._wanted(e)]
            chunks = coalesce(relevant)
            with self._lock:
                for chunk in chunks:
                    self._inflight[id(chunk)] = chunk[0].seq
                self._cursor = max(self._cursor, last)
            for chunk in chunks:
                self._post(chunk)

    def _post(self, chunk: list[AgentEvent]) -> None:
        def run() -> None:
            try:
                self._deliver(chunk, chunk[-1].seq)
            finally:
                with self._lock:
                    self._inflight.pop(id(chunk), None)

        try:
            self._dispatch(run)
        except Exception:  # the host is shutting down: nothing left to deliver to
            log.debug("could not reach Nuke's main thread", exc_info=True)
            with self._lock:
                self._inflight.pop(id(chunk), None)
