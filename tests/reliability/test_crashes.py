"""Crashes: the agent SIGKILLed at random points across a batch and restarted; a host that
closes, or dies, while its jobs run. Every shot ends published exactly once, or settled
with a reason; no staging leftover becomes a version; the ledger passes its check."""
from __future__ import annotations

import gc
import json
import os
import queue
import random
import signal
import subprocess
import sys
import time

import pytest
from pathlib import Path

from ops.campaign.audit import audit_jobs
from shotloop.client import AgentAPI, AgentClient
from shotloop.model import JobState
from shotloop.store.ledger import Ledger

from .helpers import (job_request, latest_cursor, make_shot, read_line, send_all, shot_like,
                      wait_settled)

pytestmark = pytest.mark.slow

KILLS = 5
SEED = int(os.environ.get("SHOTLOOP_CRASH_SEED", "0")) or random.randrange(1, 10**6)
MARKERS = ("", "[[fault:throttle 1]]", "[[fault:output_truncated times=1]]", "", "[[fault:throttle 0.5]]")


def _posts_by_tag(service, tags: list[str]) -> dict[str, int]:
    bodies = [str(r.get("body", "")) for r in service.requests(path="/v1/image_to_video", method="POST")]
    return {tag: sum(f"[{tag}]" in body for body in bodies) for tag in tags}


def _wait_for_events(api: AgentAPI, cursor: int, count: int, deadline_s: float) -> tuple[int, int]:
    """Follow the feed until ``count`` new events arrived (or the deadline); (seen, cursor)."""
    seen, end = 0, time.monotonic() + deadline_s
    while seen < count and time.monotonic() < end:
        events, cursor = api.events(cursor, wait_s=min(1.0, max(0.05, end - time.monotonic())))
        seen += len(events)
    return seen, cursor


def test_sigkill_at_random_points_then_restart_loses_and_duplicates_nothing(
        agent_process, fast_child_settings, refservice, tmp_path):
    rng = random.Random(SEED)
    root = tmp_path / "shotloop"
    plate = make_shot(tmp_path, "plate")
    tags: list[str] = []
    ids: list[str] = []

    def add_jobs(api: AgentAPI, count: int) -> None:
        requests = []
        for _ in range(count):
            tag = f"k{len(tags):03d}"
            tags.append(tag)
            requests.append(job_request(shot_like(plate, tag), root,
                                        prompt=f"orb [{tag}] {rng.choice(MARKERS)}"))
        ids.extend(send_all(api, requests))

    run = agent_process()
    add_jobs(run.api, 6)
    kills = 0
    in_flight_at_kill: list[bool] = []
    while kills < KILLS:
        cursor = latest_cursor(run.api)
        if all(run.api.job(j).state.final for j in ids):
            add_jobs(run.api, 2)  # keep work in flight until every kill has happened
        # A random point: after 1-12 more ledger events (states, progress, publishes).
        _wait_for_events(run.api, cursor, rng.randint(1, 12), deadline_s=15)
        in_flight_at_kill.append(any(not run.api.job(j).state.final for j in ids))
        run.process.send_signal(signal.SIGKILL)
        run.process.wait(timeout=10)
        kills += 1
        run = agent_process(run.home)
    jobs = wait_settled(run.api, ids, deadline_s=150)
    for job in jobs:  # killed mid-create: a person decides; here, give up on them
        if job.state is JobState.SUBMIT_UNKNOWN:
            assert job.error["code"] == "create_outcome_unknown" and job.shot.name in job.reason
            assert run.api.cancel(job.job_id).state is JobState.CANCELLED
    jobs = [run.api.job(j) for j in ids]

    assert kills == KILLS, f"seed {SEED}"
    assert sum(in_flight_at_kill) >= 3, f"seed {SEED}: most kills hit an idle agent"
    audit = audit_jobs(jobs, [root])
    assert audit.ok, f"seed {SEED}: {audit}"
    published = [j for j in jobs if j.state is JobState.PUBLISHED]
    for job in jobs:  # none of MARKERS fails a job: only a kill mid-create may stop one
        assert job.state is JobState.PUBLISHED or (
            job.state is JobState.CANCELLED and job.error["code"] == "create_outcome_unknown"), \
            f"seed {SEED}: {job.shot.name} {job.state.value} {job.reason}"
        versions = run.api.versions(job.shot.name, root=str(root))
        assert [v.number for v in versions] == ([1] if job.state is JobState.PUBLISHED else [])
    posts = _posts_by_tag(refservice, tags)
    assert all(n <= 1 for n in posts.values()), f"seed {SEED}: a create was repeated: {posts}"
    assert all(posts[j.shot.name] == 1 for j in published)
    run.process.send_signal(signal.SIGTERM)
    run.process.wait(timeout=30)
    with Ledger(run.home / "ledger.sqlite") as ledger:
        assert ledger.integrity_check() == []


def _in_flight(api: AgentAPI, ids: list[str]) -> bool:
    states = {api.job(j).state for j in ids}
    return bool(states & {JobState.SUBMITTED, JobState.RUNNING, JobState.DOWNLOADING})


def test_a_host_that_closes_its_client_mid_job_still_gets_its_versions(rel_agent, tmp_path, wait_until):
    root = tmp_path / "shotloop"
    plate = make_shot(tmp_path, "plate")
    delivered: queue.Queue = queue.Queue()
    token = (rel_agent.home / "token").read_text().strip()
    client = AgentClient(lambda: AgentAPI(rel_agent.url, token), dispatch=delivered.put)
    requests = [job_request(shot_like(plate, f"h{n}"), root, prompt=f"orb [h{n}] [[fault:throttle 1]]")
                for n in range(3)]
    client.submit(requests, on_done=lambda jobs: delivered.put(("jobs", jobs)))
    client.follow(lambda event: None)
    ids: list[str] = []
    deadline = time.monotonic() + 30
    while not ids:
        item = delivered.get(timeout=max(0.1, deadline - time.monotonic()))
        if callable(item):
            item()  # what the host's main thread would run
        else:
            ids = [j.job_id for j in item[1]]
    wait_until(lambda: _in_flight(rel_agent.api, ids), timeout_s=30, what="a job in flight")
    client.close()
    del client
    gc.collect()
    jobs = wait_settled(rel_agent.api, ids)
    assert [j.state for j in jobs] == [JobState.PUBLISHED] * 3, [j.reason for j in jobs]
    assert audit_jobs(jobs, [root]).ok


HOST_SCRIPT = r"""
import json, sys, threading
from shotloop import model
from shotloop.client import AgentAPI, AgentClient
url, token, payload = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
requests = [model.from_dict(model.JobRequest, r) for r in payload]
done = threading.Event()
def submitted(jobs):
    print(json.dumps([j.job_id for j in jobs]), flush=True)
client = AgentClient(lambda: AgentAPI(url, token))
client.submit(requests, on_done=submitted)
client.follow(lambda event: None)
done.wait()  # a host session that never ends on its own
"""


def test_a_host_process_killed_mid_job_does_not_take_its_jobs_with_it(rel_agent, tmp_path, wait_until):
    root = tmp_path / "shotloop"
    plate = make_shot(tmp_path, "plate")
    from shotloop import model

    requests = [model.to_dict(job_request(shot_like(plate, f"hp{n}"), root,
                                          prompt=f"orb [hp{n}] [[fault:throttle 1]]")) for n in range(2)]
    token = (rel_agent.home / "token").read_text().strip()
    host = subprocess.Popen([sys.executable, "-c", HOST_SCRIPT, rel_agent.url, token, json.dumps(requests)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        ids = json.loads(read_line(host, 60))
        assert len(ids) == 2
        wait_until(lambda: _in_flight(rel_agent.api, ids), timeout_s=30, what="a job in flight")
    finally:
        host.send_signal(signal.SIGKILL)
        host.wait(timeout=10)
    jobs = wait_settled(rel_agent.api, ids)
    assert [j.state for j in jobs] == [JobState.PUBLISHED] * 2, [j.reason for j in jobs]
    assert audit_jobs(jobs, [root]).ok
    assert all(Path(v.frames.replace("####", "1001")).is_file()
               for j in jobs for v in rel_agent.api.versions(j.shot.name, root=str(root)))


def test_a_staging_leftover_from_a_crash_never_becomes_a_version(agent_process, fast_child_settings, tmp_path,
                                                                   wait_until):
    root = tmp_path / "shotloop"
    run = agent_process()
    (job_id,) = send_all(run.api, [job_request(make_shot(tmp_path, "left"), root,
                                               prompt="orb [left] [[fault:throttle 1.5]]")])
    wait_until(lambda: _in_flight(run.api, [job_id]), timeout_s=30, what="the job in flight")
    run.process.send_signal(signal.SIGKILL)
    run.process.wait(timeout=10)
    # What an ingest killed just before its rename leaves: a complete-looking take.
    leftover = root / ".staging" / "left_gen_v007_0badf00d"
    leftover.mkdir(parents=True)
    (leftover / "left_gen_v007.1001.exr").write_bytes(b"half a frame")
    (leftover / "version.json").write_text(json.dumps({"version": {"shot": "left", "number": 7}}))
    run = agent_process(run.home)
    (job,) = wait_settled(run.api, [job_id])
    assert job.state is JobState.PUBLISHED and job.version == 1
    assert [v.number for v in run.api.versions("left", root=str(root))] == [1]
    assert not any((root / ".staging").iterdir())
    assert audit_jobs([job], [root]).ok
