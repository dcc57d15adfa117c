"""The job ledger: every job's last committed state, and the event feed, in SQLite.

Durability: WAL journal with ``synchronous=FULL``. In WAL mode NORMAL is already safe
against an application crash, but a commit can be lost to a power cut or an OS crash.
The ledger's commits are promises made before side effects: "SUBMITTED with task id X"
is written before the agent treats a paid create call as done, and losing that line
means either a task we pay for and never collect or a blind resubmit. FULL costs one
fsync of the WAL per commit; the ledger sees a few commits per job per poll interval
(≥ 5 s), so the price is invisible next to the network and media work around it.

Concurrency: one connection per Ledger, guarded by a lock, so threads in one agent
share it safely; transactions start with ``BEGIN IMMEDIATE`` so a second process (the
CLI reading, a farm tool) waits on SQLite's busy timeout instead of failing halfway.
Readers in other processes see committed data only (WAL snapshots).
"""
from __future__ import annotations

import dataclasses
import json
import logging
import sqlite3
import threading
import time
import typing
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from ..codec import from_data, to_data
from ..errors import IllegalTransition, JobNotFound, LedgerError, ShotLoopError
from ..model import FINAL_STATES, TRANSITIONS, Job, JobState, ReviewStatus, from_json, to_json
from .events import JOB_ADDED, JOB_PROGRESS, JOB_STATE, VERSION_REVIEW, Event
from .ledger_schema import check_invariants, ensure_schema
from .scrub import scrub

__all__ = ["Ledger", "Event", "ACTIVE_STATES"]

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 15.0
# Jobs holding a provider slot: the agent's per-provider concurrency limit counts these.
ACTIVE_STATES = frozenset({JobState.UPLOADING, JobState.SUBMITTED, JobState.RUNNING})
_FIXED_FIELDS = frozenset({"job_id", "state", "created_at", "updated_at"})
_JOB_COLUMNS = ("job_id, state, shot, label, batch, profile, remote_task_id, version, "
                "created_at, updated_at, body")


class Ledger:
    """SQLite ledger of jobs, reviews and events (see the module docstring for guarantees)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._cond = threading.Condition()
        self._closed = False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), timeout=BUSY_TIMEOUT_S,
                                   isolation_level=None, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise _open_error(self.path, exc) from exc
        try:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("ledger %s: journal mode is %s, not WAL (network drive?)", self.path, mode)
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            ensure_schema(conn)
        except sqlite3.Error as exc:
            conn.close()
            raise _open_error(self.path, exc) from exc
        except BaseException:
            conn.close()
            raise
        self._conn = conn
        self._notified_seq = self.last_seq()

    # ------------------------------------------------------------------ jobs

    def add(self, job: Job) -> Job:
        """Store a new job as QUEUED with fresh timestamps (and an id if it had none)."""
        now = time.time()
        new = dataclasses.replace(job, job_id=job.job_id or uuid.uuid4().hex,
                                  state=JobState.QUEUED, created_at=now, updated_at=now)
        with self._write() as (conn, events):
            try:
                conn.execute(f"INSERT INTO jobs ({_JOB_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                             _job_row(new))
            except sqlite3.IntegrityError as exc:
                raise LedgerError(f"job {new.job_id} is already in the ledger", shot=new.shot.name,
                                  field="job_id", fix="submit it again with a new job id") from exc
            self._append(conn, events, JOB_ADDED, new.job_id, {
                **_job_summary(new), "batch": new.batch, "profile": new.profile,
                "model": new.recipe.model})
        return new

    def get(self, job_id: str) -> Job:
        with self._lock:
            return self._load(self._connection(), job_id)

    def list(
        self,
        *,
        states: Iterable[JobState | str] | None = None,
        shot: str | None = None,
        batch: str | None = None,
        limit: int | None = None,
    ) -> list[Job]:
        """Jobs oldest first, filtered by state(s), shot name and batch."""
        where, args = [], []
        if states is not None:
            wanted = sorted({JobState(s).value for s in states})
            if not wanted:
                return []
            where.append(f"state IN ({','.join('?' * len(wanted))})")
            args.extend(wanted)
        if shot is not None:
            where.append("shot = ?")
            args.append(shot)
        if batch is not None:
            where.append("batch = ?")
            args.append(batch)
        sql = "SELECT body FROM jobs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY created_at, rowid"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(int(limit))
        with self._lock:
            rows = self._connection().execute(sql, args).fetchall()
        return [from_json(Job, body) for (body,) in rows]

    def unfinished(self) -> list[Job]:
        """Every job not yet PUBLISHED, FAILED or CANCELLED: what the agent resumes on start."""
        return self.list(states=[s for s in JobState if s not in FINAL_STATES])

    def count_active(self, profile: str) -> int:
        """Jobs of ``profile`` holding a provider slot (UPLOADING, SUBMITTED, RUNNING)."""
        states = sorted(s.value for s in ACTIVE_STATES)
        sql = f"SELECT COUNT(*) FROM jobs WHERE profile = ? AND state IN ({','.join('?' * len(states))})"
        with self._lock:
            return int(self._connection().execute(sql, [profile, *states]).fetchone()[0])

    def transition(self, job_id: str, state: JobState | str, **changes: Any) -> Job:
        """Move a job to ``state`` (checked against ``model.TRANSITIONS``), applying
        ``changes`` to any other Job fields; the job and its "job.state" event are
        committed together before this returns."""
        target = JobState(state)
        with self._write() as (conn, events):
            job = self._load(conn, job_id)
            if target not in TRANSITIONS[job.state]:
                allowed = ", ".join(sorted(s.value for s in TRANSITIONS[job.state])) or "none, it is final"
                raise IllegalTransition(
                    f"job {job_id} cannot go from {job.state.value} to {target.value}",
                    shot=job.shot.name, field="state",
                    fix=f"from {job.state.value} a job may go to: {allowed}")
            new = _changed(job, changes, state=target)
            self._check_final(conn, new)
            self._save(conn, new)
            self._append(conn, events, JOB_STATE, job_id, {
                **_job_summary(new), "previous": job.state.value, "progress": new.progress,
                "remote_status": new.remote_status, "error": new.error, "version": new.version})
        return new

    def update(self, job_id: str, **changes: Any) -> Job:
        """Change fields of a job without changing its state (progress, remote status,
        credits...). A change that changes nothing writes nothing and emits nothing."""
        if "state" in changes:
            raise TypeError("update() keeps the state; use transition() to change it")
        with self._write() as (conn, events):
            job = self._load(conn, job_id)
            new = _changed(job, changes, state=job.state)
            if dataclasses.replace(new, updated_at=job.updated_at) == job:
                return job
            self._check_final(conn, new)
            self._save(conn, new)
            self._append(conn, events, JOB_PROGRESS, job_id, {
                **_job_summary(new), "progress": new.progress, "remote_status": new.remote_status,
                "changed": sorted(changes)})
        return new

    # ------------------------------------------------------------------ reviews and events

    def record_review(self, shot: str, label: str, number: int, status: ReviewStatus | str,
                      note: str) -> None:
        """Set a version's review status and note (the ledger is its home; the version
        store mirrors it into version.json), with a "version.review" event."""
        status = ReviewStatus(status)
        with self._write() as (conn, events):
            conn.execute(
                "INSERT INTO reviews (shot, label, number, status, note, updated_at) "
                "VALUES (?,?,?,?,?,?) ON CONFLICT (shot, label, number) DO UPDATE SET "
                "status = excluded.status, note = excluded.note, updated_at = excluded.updated_at",
                (shot, label, int(number), status.value, note, time.time()))
            row = conn.execute(
                "SELECT job_id FROM jobs WHERE shot = ? AND label = ? AND version = ? AND state = ?",
                (shot, label, int(number), JobState.PUBLISHED.value)).fetchone()
            self._append(conn, events, VERSION_REVIEW, row[0] if row else "", {
                "shot": shot, "label": label, "number": int(number), "status": status.value,
                "note": note})

    def reviews(self, shot: str | None = None) -> dict[tuple[str, str, int], tuple[ReviewStatus, str]]:
        sql, args = "SELECT shot, label, number, status, note FROM reviews", []
        if shot is not None:
            sql, args = sql + " WHERE shot = ?", [shot]
        with self._lock:
            rows = self._connection().execute(sql + " ORDER BY shot, label, number", args).fetchall()
        return {(s, lab, n): (ReviewStatus(st), note) for s, lab, n, st, note in rows}

    def emit(self, kind: str, payload: Mapping[str, Any], *, job_id: str = "") -> Event:
        """Append an event that is not a job change (e.g. "version.published")."""
        if not kind or not isinstance(kind, str):
            raise ValueError("an event needs a kind such as 'version.published'")
        with self._write() as (conn, events):
            self._append(conn, events, kind, job_id, payload)
        return events[0]

    def events_since(self, seq: int, *, limit: int = 500) -> list[Event]:
        """Events with a sequence number above ``seq``, oldest first."""
        with self._lock:
            rows = self._connection().execute(
                "SELECT seq, time, kind, job_id, payload FROM events WHERE seq > ? "
                "ORDER BY seq LIMIT ?", (int(seq), int(limit))).fetchall()
        return [Event(s, t, k, j, json.loads(p)) for s, t, k, j, p in rows]

    def wait_events(self, seq: int, timeout: float) -> list[Event]:
        """Events after ``seq``, waiting up to ``timeout`` seconds for one to appear.

        Writes through this Ledger wake the waiter at once; a write by another process is
        picked up when the wait ends (the feed's next long poll).
        """
        if self._closed:
            return []
        found = self.events_since(seq)
        if found or timeout <= 0:
            return found
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._notified_seq <= seq and not self._closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
        return [] if self._closed else self.events_since(seq)

    def last_seq(self) -> int:
        with self._lock:
            row = self._connection().execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()
        return int(row[0])

    # ------------------------------------------------------------------ health

    def integrity_check(self) -> list[str]:
        """Problems found: SQLite's own integrity check, then the ledger's rules (every
        state is a JobState, PUBLISHED has a version, FAILED has an error, no version
        claimed twice). An empty list means healthy."""
        with self._lock:
            conn = self._connection()
            try:
                rows = conn.execute("PRAGMA integrity_check").fetchall()
                problems = [f"sqlite: {r[0]}" for r in rows if r[0] != "ok"]
                jobs = conn.execute(
                    "SELECT job_id, state, shot, label, version, body FROM jobs ORDER BY rowid").fetchall()
                reviews = conn.execute("SELECT shot, label, number, status FROM reviews").fetchall()
            except sqlite3.DatabaseError as exc:
                return [f"sqlite: {exc}"]
        return problems + check_invariants(jobs, reviews)

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._conn.close()
        with self._cond:
            self._cond.notify_all()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ internals

    def _connection(self) -> sqlite3.Connection:
        if self._closed:
            raise LedgerError(f"the ledger {self.path} is closed", field="ledger",
                              fix="open it again (restart the agent)")
        return self._conn

    @contextmanager
    def _write(self) -> Iterator[tuple[sqlite3.Connection, list[Event]]]:
        """One write transaction; waiters are woken after it commits."""
        events: list[Event] = []
        with self._lock:
            conn = self._connection()
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise _write_error(self.path, exc) from exc
            try:
                yield conn, events
                conn.execute("COMMIT")
            except BaseException as exc:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise _write_error(self.path, exc) from exc
                raise
        if events:
            with self._cond:
                self._notified_seq = max(self._notified_seq, events[-1].seq)
                self._cond.notify_all()

    @staticmethod
    def _load(conn: sqlite3.Connection, job_id: str) -> Job:
        row = conn.execute("SELECT body FROM jobs WHERE job_id = ?", (job_id,)).fetchone()
        if row is None:
            raise JobNotFound(f"no job {job_id!r} in the ledger", field="job_id",
                              fix="list the jobs the agent knows (`shotloop jobs`)")
        return from_json(Job, row[0])

    @staticmethod
    def _save(conn: sqlite3.Connection, job: Job) -> None:
        row = _job_row(job)
        conn.execute(f"UPDATE jobs SET ({_JOB_COLUMNS}) = (?,?,?,?,?,?,?,?,?,?,?) WHERE job_id = ?",
                     (*row, job.job_id))

    @staticmethod
    def _check_final(conn: sqlite3.Connection, job: Job) -> None:
        """Refuse writes that would break the rules ``integrity_check`` looks for."""
        if job.state is JobState.FAILED and not job.error:
            raise LedgerError(f"job {job.job_id} cannot be FAILED without an error",
                              shot=job.shot.name, field="error",
                              fix="pass error=<ShotLoopError or its to_dict()> with the transition")
        if job.state is not JobState.PUBLISHED:
            return
        if job.version is None:
            raise LedgerError(f"job {job.job_id} cannot be PUBLISHED without a version number",
                              shot=job.shot.name, field="version",
                              fix="pass version=<number> with the transition")
        rows = conn.execute(
            "SELECT job_id, body FROM jobs WHERE state = ? AND shot = ? AND label = ? AND version = ? "
            "AND job_id != ?", (JobState.PUBLISHED.value, job.shot.name, job.recipe.label,
                                job.version, job.job_id)).fetchall()
        # Version numbers are per store: the same shot may have a v001 in another project.
        other = next((r for r in rows if json.loads(r[1]).get("store_root", "") == job.store_root), None)
        if other:
            raise LedgerError(
                f"v{job.version:03d} of {job.shot.name}/{job.recipe.label} is already published "
                f"by job {other[0]}", shot=job.shot.name, field="version",
                fix="reserve a new number from the version store")

    @staticmethod
    def _append(conn: sqlite3.Connection, events: list[Event], kind: str, job_id: str,
                payload: Mapping[str, Any]) -> None:
        clean = scrub(dict(payload))
        now = time.time()
        cur = conn.execute("INSERT INTO events (time, kind, job_id, payload) VALUES (?,?,?,?)",
                           (now, kind, job_id, json.dumps(clean, sort_keys=True)))
        events.append(Event(int(cur.lastrowid), now, kind, job_id, clean))


def _changed(job: Job, changes: Mapping[str, Any], *, state: JobState) -> Job:
    """``job`` with ``changes`` applied, each value normalised through the model's codec."""
    hints = typing.get_type_hints(Job)
    values: dict[str, Any] = {}
    for name, value in changes.items():
        if name not in hints:
            raise TypeError(f"Job has no field {name!r}")
        if name in _FIXED_FIELDS:
            raise TypeError(f"{name} is set by the ledger, not by a change")
        if isinstance(value, ShotLoopError):
            value = value.to_dict()
        values[name] = from_data(hints[name], to_data(value))
    return dataclasses.replace(job, **values, state=state,
                               updated_at=max(time.time(), job.updated_at))


def _job_row(job: Job) -> tuple[Any, ...]:
    return (job.job_id, job.state.value, job.shot.name, job.recipe.label, job.batch, job.profile,
            job.remote_task_id, job.version, job.created_at, job.updated_at, to_json(job))


def _job_summary(job: Job) -> dict[str, Any]:
    return {"shot": job.shot.name, "label": job.recipe.label, "state": job.state.value}


def _open_error(path: Path, exc: BaseException) -> LedgerError:
    return LedgerError(f"cannot open the ledger {path}: {exc}", field="ledger",
                       fix="check the folder is writable; if the file is damaged, move it aside "
                           "and restart the agent (a new ledger is created)")


def _write_error(path: Path, exc: BaseException) -> LedgerError:
    return LedgerError(f"cannot write the ledger {path}: {exc}", field="ledger",
                       fix="check free disk space and that no other program holds the file")
