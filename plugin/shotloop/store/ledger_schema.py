"""The ledger's tables, their creation and upgrades, and the invariants we check on them.

Jobs are kept whole as model JSON in ``body`` (``model.to_json``); the other columns are
copies of fields we search on, rewritten from the body on every write.
"""
from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from typing import Iterable

from ..errors import LedgerError
from ..model import Job, JobState, ReviewStatus, from_json

__all__ = ["SCHEMA_VERSION", "ensure_schema", "check_invariants"]

SCHEMA_VERSION = 1

_CREATE = (
    """CREATE TABLE IF NOT EXISTS jobs (
        job_id TEXT PRIMARY KEY,
        state TEXT NOT NULL,
        shot TEXT NOT NULL,
        label TEXT NOT NULL,
        batch TEXT NOT NULL DEFAULT '',
        profile TEXT NOT NULL DEFAULT '',
        remote_task_id TEXT NOT NULL DEFAULT '',
        version INTEGER,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL,
        body TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state)",
    "CREATE INDEX IF NOT EXISTS jobs_shot ON jobs (shot, label, version)",
    "CREATE INDEX IF NOT EXISTS jobs_batch ON jobs (batch)",
    "CREATE INDEX IF NOT EXISTS jobs_profile_state ON jobs (profile, state)",
    "CREATE INDEX IF NOT EXISTS jobs_remote_task ON jobs (remote_task_id)",
    "CREATE INDEX IF NOT EXISTS jobs_created ON jobs (created_at)",
    # AUTOINCREMENT: a sequence number is never handed out twice, even if old events are
    # pruned one day, so a host's "since" cursor stays meaningful.
    """CREATE TABLE IF NOT EXISTS events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        time REAL NOT NULL,
        kind TEXT NOT NULL,
        job_id TEXT NOT NULL DEFAULT '',
        payload TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS reviews (
        shot TEXT NOT NULL,
        label TEXT NOT NULL,
        number INTEGER NOT NULL,
        status TEXT NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        updated_at REAL NOT NULL,
        PRIMARY KEY (shot, label, number)
    )""",
)


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the tables in a fresh file; refuse a ledger written by a newer ShotLoop."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        found = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if found > SCHEMA_VERSION:
            raise LedgerError(
                f"the ledger was written by a newer ShotLoop (schema {found}, this one knows "
                f"{SCHEMA_VERSION})",
                field="ledger",
                fix="run the newer ShotLoop, or point this one at another ledger file",
            )
        for statement in _CREATE:
            conn.execute(statement)
        if found < SCHEMA_VERSION:
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def check_invariants(
    job_rows: Iterable[tuple[str, str, str, str, int | None, str]],
    review_rows: Iterable[tuple[str, str, int, str]],
) -> list[str]:
    """Problems found in (job_id, state, shot, label, version, body) and review rows."""
    problems: list[str] = []
    published: dict[tuple[str, str, int], list[str]] = defaultdict(list)
    for job_id, state, shot, label, version, body in job_rows:
        try:
            JobState(state)
        except ValueError:
            problems.append(f"job {job_id}: state {state!r} is not a job state")
            continue
        try:
            job = from_json(Job, body)
        except (ValueError, TypeError, KeyError, json.JSONDecodeError) as exc:
            problems.append(f"job {job_id}: stored body cannot be read ({exc})")
            continue
        if job.job_id != job_id or job.state.value != state:
            problems.append(
                f"job {job_id}: columns (id {job_id}, state {state}) disagree with the body "
                f"(id {job.job_id}, state {job.state.value})"
            )
        if job.shot.name != shot or job.recipe.label != label or job.version != version:
            problems.append(f"job {job_id}: shot/label/version columns disagree with the body")
        if job.state is JobState.PUBLISHED:
            if job.version is None:
                problems.append(f"job {job_id}: PUBLISHED without a version number")
            else:
                published[(job.store_root, job.shot.name, job.recipe.label, job.version)].append(job_id)
        if job.state is JobState.FAILED and not job.error:
            problems.append(f"job {job_id}: FAILED without an error saying why")
    for (root, shot, label, number), ids in sorted(published.items()):
        if len(ids) > 1:
            problems.append(
                f"{root}: {shot}/{label}/v{number:03d} is claimed by {len(ids)} published jobs: "
                + ", ".join(sorted(ids))
            )
    for shot, label, number, status in review_rows:
        try:
            ReviewStatus(status)
        except ValueError:
            problems.append(f"review {shot}/{label}/v{number:03d}: status {status!r} is unknown")
    return problems
