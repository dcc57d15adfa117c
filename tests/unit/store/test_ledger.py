"""The SQLite ledger: state machine, events, reopen, threads, a second process, health."""
from __future__ import annotations

import sqlite3
import threading
from collections import deque
from pathlib import Path

import pytest

from shotloop.errors import (IllegalTransition, JobNotFound, LedgerError, ProviderRateLimited,
                             TaskFailed)
from shotloop.model import TRANSITIONS, JobState, ReviewStatus
from shotloop.store import Ledger
from shotloop.store.events import JOB_ADDED, JOB_PROGRESS, JOB_STATE, VERSION_REVIEW

from . import _workers
from .helpers import FAKE_KEY, make_job

HAPPY_PATH = [JobState.UPLOADING, JobState.SUBMITTED, JobState.RUNNING, JobState.DOWNLOADING,
              JobState.INGESTING, JobState.PUBLISHED]
DEADLINE_S = 30.0


@pytest.fixture
def ledger(tmp_path: Path):
    with Ledger(tmp_path / "ledger.sqlite") as opened:
        yield opened


def _needs(state: JobState, version: int = 1) -> dict:
    """What a transition into ``state`` must carry to be accepted."""
    if state is JobState.PUBLISHED:
        return {"version": version}
    if state is JobState.FAILED:
        return {"error": TaskFailed("the service failed the task", shot="sh010", failure_code="INTERNAL")}
    return {}


def _path_to(target: JobState) -> list[JobState]:
    """Shortest legal route from QUEUED to ``target`` (breadth first over TRANSITIONS)."""
    routes = {JobState.QUEUED: []}
    queue = deque([JobState.QUEUED])
    while queue:
        state = queue.popleft()
        for nxt in sorted(TRANSITIONS[state], key=lambda s: s.value):
            if nxt not in routes:
                routes[nxt] = routes[state] + [nxt]
                queue.append(nxt)
    return routes[target]


# --------------------------------------------------------------------------- state machine


def test_add_stores_a_queued_job_with_timestamps_and_an_event(ledger: Ledger):
    job = ledger.add(make_job("j1", batch="b1"))
    assert job.state is JobState.QUEUED
    assert job.created_at > 0 and job.updated_at == job.created_at
    assert ledger.get("j1") == job
    (event,) = ledger.events_since(0)
    assert (event.kind, event.job_id, event.payload["shot"], event.payload["batch"]) == (
        JOB_ADDED, "j1", "sh010", "b1")


def test_add_gives_an_id_to_a_job_without_one_and_refuses_a_duplicate(ledger: Ledger):
    job = ledger.add(make_job(""))
    assert len(job.job_id) == 32
    with pytest.raises(LedgerError) as caught:
        ledger.add(make_job(job.job_id))
    assert caught.value.field == "job_id"


def test_happy_path_commits_each_state_with_one_ordered_event(ledger: Ledger):
    ledger.add(make_job("j1"))
    previous = JobState.QUEUED
    for state in HAPPY_PATH:
        extra = {"remote_task_id": "task-1"} if state is JobState.SUBMITTED else {}
        job = ledger.transition("j1", state, **_needs(state, version=3), **extra)
        assert job.state is state and ledger.get("j1") == job
        event = ledger.events_since(ledger.last_seq() - 1)[0]
        assert event.kind == JOB_STATE
        assert (event.payload["state"], event.payload["previous"]) == (state.value, previous.value)
        previous = state
    assert ledger.get("j1").remote_task_id == "task-1"
    assert ledger.get("j1").version == 3
    seqs = [e.seq for e in ledger.events_since(0)]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs) == 1 + len(HAPPY_PATH)


def test_every_pair_of_states_follows_the_transition_table(ledger: Ledger):
    for number, (source, target) in enumerate(
            (s, t) for s in JobState for t in JobState):
        job_id = f"{source.value}-{target.value}"
        ledger.add(make_job(job_id))
        for step in _path_to(source):
            ledger.transition(job_id, step, **_needs(step, version=1000 + number))
        before = ledger.get(job_id)
        last = ledger.last_seq()
        if target in TRANSITIONS[source]:
            after = ledger.transition(job_id, target, **_needs(target, version=1000 + number))
            assert after.state is target
        else:
            with pytest.raises(IllegalTransition) as caught:
                ledger.transition(job_id, target, **_needs(target, version=1000 + number))
            message = caught.value.message
            assert job_id in message and source.value in message and target.value in message
            assert caught.value.field == "state" and caught.value.shot == "sh010"
            assert ledger.get(job_id) == before and ledger.last_seq() == last


def test_final_states_carry_what_they_need(ledger: Ledger):
    ledger.add(make_job("a"))
    with pytest.raises(LedgerError, match="without an error"):
        ledger.transition("a", JobState.FAILED)
    failed = ledger.transition("a", JobState.FAILED, error=ProviderRateLimited(f"429 for {FAKE_KEY}"))
    assert failed.error["code"] == "provider_rate_limited" and FAKE_KEY not in str(failed.error)
    ledger.add(make_job("b"))
    for state in HAPPY_PATH[:-1]:
        ledger.transition("b", state)
    with pytest.raises(LedgerError, match="without a version"):
        ledger.transition("b", JobState.PUBLISHED)
    ledger.transition("b", JobState.PUBLISHED, version=1)
    ledger.add(make_job("c"))
    for state in HAPPY_PATH[:-1]:
        ledger.transition("c", state)
    with pytest.raises(LedgerError, match="already published by job b"):
        ledger.transition("c", JobState.PUBLISHED, version=1)
    assert ledger.get("c").state is JobState.INGESTING
    assert ledger.transition("c", JobState.PUBLISHED, version=2).version == 2
    assert ledger.integrity_check() == []


def test_event_and_job_change_are_one_transaction(ledger: Ledger):
    ledger.add(make_job("j1"))
    raw = sqlite3.connect(ledger.path)
    raw.execute("CREATE TRIGGER refuse_events BEFORE INSERT ON events "
                "BEGIN SELECT RAISE(ABORT, 'event table refused'); END")
    raw.commit()
    with pytest.raises(LedgerError, match="event table refused"):
        ledger.transition("j1", JobState.UPLOADING)
    assert ledger.get("j1").state is JobState.QUEUED  # rolled back with its event
    raw.execute("DROP TRIGGER refuse_events")
    raw.commit()
    raw.close()
    assert ledger.transition("j1", JobState.UPLOADING).state is JobState.UPLOADING


def test_unknown_job_and_unknown_field(ledger: Ledger):
    with pytest.raises(JobNotFound):
        ledger.get("nope")
    with pytest.raises(JobNotFound):
        ledger.transition("nope", JobState.UPLOADING)
    ledger.add(make_job("j1"))
    with pytest.raises(TypeError):
        ledger.update("j1", colour="red")
    with pytest.raises(TypeError):
        ledger.update("j1", state=JobState.RUNNING)
    with pytest.raises(TypeError):
        ledger.transition("j1", JobState.UPLOADING, job_id="other")


def test_update_changes_fields_with_a_progress_event_and_skips_no_ops(ledger: Ledger):
    ledger.add(make_job("j1"))
    for state in HAPPY_PATH[:3]:
        ledger.transition("j1", state)
    job = ledger.update("j1", progress=0.5, remote_status="RUNNING")
    assert (job.state, job.progress, job.remote_status) == (JobState.RUNNING, 0.5, "RUNNING")
    event = ledger.events_since(ledger.last_seq() - 1)[0]
    assert event.kind == JOB_PROGRESS and event.payload["progress"] == 0.5
    last = ledger.last_seq()
    assert ledger.update("j1", progress=0.5, remote_status="RUNNING") == job
    assert ledger.last_seq() == last


# --------------------------------------------------------------------------- queries and reopen


def test_list_filters_unfinished_and_active_counts(ledger: Ledger):
    for i, (shot, batch, profile) in enumerate(
            [("sh010", "b1", "reference"), ("sh020", "b1", "reference"), ("sh030", "b2", "runway"),
             ("sh010", "b2", "reference")]):
        ledger.add(make_job(f"j{i}", shot=shot, batch=batch, profile=profile))
    ledger.transition("j0", JobState.UPLOADING)
    ledger.transition("j1", JobState.UPLOADING)
    ledger.transition("j1", JobState.SUBMITTED, remote_task_id="t1")
    ledger.transition("j2", JobState.UPLOADING)
    ledger.transition("j3", JobState.CANCELLED)
    assert [j.job_id for j in ledger.list()] == ["j0", "j1", "j2", "j3"]
    assert [j.job_id for j in ledger.list(shot="sh010")] == ["j0", "j3"]
    assert [j.job_id for j in ledger.list(batch="b2")] == ["j2", "j3"]
    assert [j.job_id for j in ledger.list(states=[JobState.UPLOADING])] == ["j0", "j2"]
    assert [j.job_id for j in ledger.list(states=["SUBMITTED", "CANCELLED"], limit=1)] == ["j1"]
    assert ledger.list(states=[]) == []
    assert [j.job_id for j in ledger.unfinished()] == ["j0", "j1", "j2"]
    assert (ledger.count_active("reference"), ledger.count_active("runway")) == (2, 1)


def test_jobs_and_events_survive_reopen_in_order(tmp_path: Path):
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as first:
        for i in range(3):
            first.add(make_job(f"j{i}"))
        first.transition("j0", JobState.UPLOADING)
        first.transition("j0", JobState.SUBMITTED, remote_task_id="task-0")
        first.transition("j1", JobState.CANCELLED)
        first.transition("j2", JobState.FAILED, error=TaskFailed("no", failure_code="SAFETY.INPUT"))
        events = first.events_since(0)
        jobs = first.list()
    with Ledger(path) as second:
        assert second.events_since(0) == events
        assert second.list() == jobs
        assert [j.job_id for j in second.unfinished()] == ["j0"]
        resumed = second.unfinished()[0]
        assert (resumed.state, resumed.remote_task_id) == (JobState.SUBMITTED, "task-0")
        assert second.last_seq() == events[-1].seq
        second.transition("j0", JobState.RUNNING)
        assert second.events_since(events[-1].seq)[0].seq == events[-1].seq + 1
        assert second.events_since(0, limit=2) == events[:2]


def test_job_round_trips_with_error_and_edit_fields(ledger: Ledger):
    ledger.add(make_job("j1"))
    error = TaskFailed("moderation refused the output", shot="sh010", field="task",
                       fix="change the prompt", failure_code="SAFETY.OUTPUT")
    failed = ledger.transition("j1", JobState.FAILED, error=error, credits=5)
    assert failed.error == error.to_dict() and failed.reason == error.message
    assert ledger.get("j1") == failed
    retried = ledger.transition("j1", JobState.QUEUED, attempt=2, error=None)
    assert (retried.attempt, retried.error) == (2, None)


# --------------------------------------------------------------------------- feed


def test_wait_events_returns_at_once_when_events_exist(ledger: Ledger):
    ledger.add(make_job("j1"))
    assert [e.kind for e in ledger.wait_events(0, timeout=DEADLINE_S)] == [JOB_ADDED]


def test_wait_events_wakes_on_a_write_from_another_thread(ledger: Ledger):
    ledger.add(make_job("j1"))
    seq = ledger.last_seq()
    got: list = []
    waiter = threading.Thread(target=lambda: got.extend(ledger.wait_events(seq, timeout=DEADLINE_S)))
    waiter.start()
    ledger.transition("j1", JobState.UPLOADING)
    waiter.join(DEADLINE_S / 2)  # a deadline well short of the wait's own timeout
    assert not waiter.is_alive(), "wait_events did not wake up on the write"
    assert [(e.kind, e.payload["state"]) for e in got] == [(JOB_STATE, "UPLOADING")]


def test_wait_events_times_out_with_nothing(ledger: Ledger):
    ledger.add(make_job("j1"))
    assert ledger.wait_events(ledger.last_seq(), timeout=0.05) == []
    assert ledger.wait_events(ledger.last_seq(), timeout=0) == []


def test_close_releases_waiters(tmp_path: Path):
    ledger = Ledger(tmp_path / "ledger.sqlite")
    got: list = [None]
    waiter = threading.Thread(target=lambda: got.__setitem__(0, ledger.wait_events(0, timeout=DEADLINE_S)))
    waiter.start()
    ledger.close()
    waiter.join(DEADLINE_S / 2)
    assert not waiter.is_alive() and got[0] == []
    with pytest.raises(LedgerError, match="closed"):
        ledger.get("j1")


def test_threads_write_concurrently_without_losing_events(ledger: Ledger):
    threads_n, updates = 4, 25
    for t in range(threads_n):
        ledger.add(make_job(f"t{t}"))
        for state in HAPPY_PATH[:3]:
            ledger.transition(f"t{t}", state)
    start = ledger.last_seq()
    failures: list[BaseException] = []

    def work(job_id: str) -> None:
        try:
            for i in range(1, updates + 1):
                ledger.update(job_id, progress=i / updates)
        except BaseException as exc:  # reported to the main thread below
            failures.append(exc)

    workers = [threading.Thread(target=work, args=(f"t{t}",)) for t in range(threads_n)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(DEADLINE_S)
    assert not failures and not any(w.is_alive() for w in workers)
    events = ledger.events_since(start, limit=1000)
    assert len(events) == threads_n * updates
    assert [e.seq for e in events] == list(range(start + 1, start + 1 + threads_n * updates))
    for t in range(threads_n):
        mine = [e.payload["progress"] for e in events if e.job_id == f"t{t}"]
        assert mine == sorted(mine) and mine[-1] == 1.0
        assert ledger.get(f"t{t}").progress == 1.0


def test_a_second_process_reads_while_the_agent_holds_the_ledger(ledger: Ledger, spawn):
    ledger.add(make_job("j1"))
    ledger.transition("j1", JobState.UPLOADING)
    with spawn.Pool(1) as pool:
        answer = pool.apply_async(_workers.read_ledger, (str(ledger.path),)).get(DEADLINE_S)
    assert answer == {"jobs": [("j1", "UPLOADING")], "kinds": [JOB_ADDED, JOB_STATE], "problems": []}
    ledger.transition("j1", JobState.SUBMITTED, remote_task_id="t")  # still writable here
    assert ledger.get("j1").state is JobState.SUBMITTED


# --------------------------------------------------------------------------- reviews and emit


def test_reviews_are_recorded_with_an_event(ledger: Ledger):
    ledger.add(make_job("j1"))
    for state in HAPPY_PATH:
        ledger.transition("j1", state, **_needs(state, version=3))
    ledger.record_review("sh010", "gen", 3, ReviewStatus.APPROVED, "hero take")
    ledger.record_review("sh020", "gen", 1, "rejected", "flicker")
    ledger.record_review("sh010", "gen", 3, ReviewStatus.REJECTED, "changed my mind")
    assert ledger.reviews() == {("sh010", "gen", 3): (ReviewStatus.REJECTED, "changed my mind"),
                                ("sh020", "gen", 1): (ReviewStatus.REJECTED, "flicker")}
    assert list(ledger.reviews("sh020")) == [("sh020", "gen", 1)]
    reviews = [e for e in ledger.events_since(0) if e.kind == VERSION_REVIEW]
    assert [(e.job_id, e.payload["status"]) for e in reviews] == [
        ("j1", "approved"), ("", "rejected"), ("j1", "rejected")]
    with pytest.raises(ValueError):
        ledger.record_review("sh010", "gen", 3, "maybe", "")


def test_emit_scrubs_payloads(ledger: Ledger):
    event = ledger.emit("version.published", {
        "shot": "sh010", "number": 3, "url": "https://cdn.example.com/a.mp4?_jwt=secret",
        "headers": {"Authorization": f"Bearer {FAKE_KEY}"}}, job_id="j1")
    stored = ledger.events_since(event.seq - 1)[0]
    assert stored == event and stored.job_id == "j1"
    text = str(stored.payload)
    assert FAKE_KEY not in text and "_jwt" not in text and "secret" not in text
    assert stored.payload["url"] == "https://cdn.example.com/a.mp4"


# --------------------------------------------------------------------------- health


def test_integrity_check_is_clean_on_a_healthy_ledger(ledger: Ledger):
    ledger.add(make_job("j1"))
    for state in HAPPY_PATH:
        ledger.transition("j1", state, **_needs(state, version=1))
    ledger.record_review("sh010", "gen", 1, ReviewStatus.APPROVED, "")
    assert ledger.integrity_check() == []


def test_integrity_check_reports_broken_rules(ledger: Ledger):
    for job_id in ("ok", "bogus", "pub", "dup1", "dup2", "failed", "garbled"):
        ledger.add(make_job(job_id))
    for job_id in ("dup1", "dup2"):
        for state in HAPPY_PATH[:-1]:
            ledger.transition(job_id, state)
    ledger.transition("dup1", JobState.PUBLISHED, version=4)
    raw = sqlite3.connect(ledger.path)
    body = raw.execute("SELECT body FROM jobs WHERE job_id = 'dup1'").fetchone()[0]
    raw.execute("UPDATE jobs SET body = ?, state = 'PUBLISHED', version = 4 WHERE job_id = 'dup2'",
                (body.replace('"job_id": "dup1"', '"job_id": "dup2"'),))
    raw.execute("UPDATE jobs SET state = 'BOGUS' WHERE job_id = 'bogus'")
    body = raw.execute("SELECT body FROM jobs WHERE job_id = 'pub'").fetchone()[0]
    raw.execute("UPDATE jobs SET state = 'PUBLISHED', body = ? WHERE job_id = 'pub'",
                (body.replace('"state": "QUEUED"', '"state": "PUBLISHED"'),))
    body = raw.execute("SELECT body FROM jobs WHERE job_id = 'failed'").fetchone()[0]
    raw.execute("UPDATE jobs SET state = 'FAILED', body = ? WHERE job_id = 'failed'",
                (body.replace('"state": "QUEUED"', '"state": "FAILED"'),))
    raw.execute("UPDATE jobs SET body = '{not json' WHERE job_id = 'garbled'")
    raw.execute("INSERT INTO reviews VALUES ('sh010', 'gen', 4, 'maybe', '', 0)")
    raw.commit()
    raw.close()
    problems = "\n".join(ledger.integrity_check())
    assert "job bogus: state 'BOGUS'" in problems
    assert "job pub: PUBLISHED without a version" in problems
    assert "job failed: FAILED without an error" in problems
    assert "sh010/gen/v004 is claimed by 2 published jobs: dup1, dup2" in problems
    assert "job garbled: stored body cannot be read" in problems
    assert "status 'maybe' is unknown" in problems
    assert "job ok" not in problems


def test_integrity_check_reports_a_damaged_file(tmp_path: Path):
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        for i in range(300):
            ledger.add(make_job(f"job-{i:04d}"))
    page_size = 4096
    with open(path, "r+b") as handle:
        size = handle.seek(0, 2)
        for page in range(2, size // page_size):  # keep page 1 (schema) so the file opens
            handle.seek(page * page_size + 100)
            handle.write(b"\xa5" * 400)
    with Ledger(path) as damaged:
        problems = damaged.integrity_check()
    assert problems and all(p.startswith("sqlite:") for p in problems)


def test_refuses_files_it_cannot_use(tmp_path: Path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerError, match="cannot open"):
        Ledger(junk)
    newer = tmp_path / "newer.sqlite"
    Ledger(newer).close()
    raw = sqlite3.connect(newer)
    raw.execute("PRAGMA user_version = 99")
    raw.commit()
    raw.close()
    with pytest.raises(LedgerError, match="newer ShotLoop"):
        Ledger(newer)

