"""The agent killed with SIGKILL mid-batch, restarted, loses nothing and duplicates nothing;
two agents publishing into one store never share a version number."""
from __future__ import annotations

import signal

from shotloop.model import JobState
from shotloop.store.ledger import Ledger

from .test_loop import make_shot, submit


def test_sigkill_mid_batch_then_restart_publishes_every_shot_once(agent_process, refservice, tmp_path,
                                                                  wait_until):
    root = tmp_path / "shotloop"
    shots = [make_shot(tmp_path, f"k{n:03d}") for n in range(4)]
    first = agent_process()
    creates_start = refservice.stats()["creates"]
    job_ids = submit(first, shots, root, prompt="orb [[fault:throttle 2]]")
    # Kill it while some jobs are in flight remotely.
    def in_flight() -> bool:
        states = [first.api.job(j).state for j in job_ids]
        # Not while a create is on the wire: that job would rightly become SUBMIT_UNKNOWN.
        return JobState.UPLOADING not in states and any(
            s in (JobState.SUBMITTED, JobState.RUNNING) for s in states)

    wait_until(in_flight, timeout_s=60, what="a job in flight")
    first.process.send_signal(signal.SIGKILL)
    first.process.wait(timeout=10)

    second = agent_process(first.home)
    jobs = second.wait_final(job_ids, deadline_s=120)
    assert [j.state for j in jobs] == [JobState.PUBLISHED] * 4, [j.reason for j in jobs]
    for shot in shots:
        versions = second.api.versions(shot.name, root=str(root))
        assert [v.number for v in versions] == [1], shot.name
    staging = root / ".staging"
    assert not staging.exists() or not any(staging.iterdir())
    # Every task created before the kill was resumed from the ledger, never created again.
    assert refservice.stats()["creates"] - creates_start == 4
    second.process.send_signal(signal.SIGTERM)
    second.process.wait(timeout=20)
    ledger = Ledger(first.home / "ledger.sqlite")
    try:
        assert ledger.integrity_check() == []
    finally:
        ledger.close()


def test_two_agents_racing_for_version_numbers(agent_process, tmp_path):
    root = tmp_path / "shotloop"
    shot = make_shot(tmp_path, "race")
    a = agent_process(tmp_path / "home-a")
    b = agent_process(tmp_path / "home-b")
    ids_a = submit(a, [shot, shot, shot], root)
    ids_b = submit(b, [shot, shot, shot], root)
    jobs = a.wait_final(ids_a) + b.wait_final(ids_b)
    assert all(j.state is JobState.PUBLISHED for j in jobs), [j.reason for j in jobs]
    numbers = sorted(j.version for j in jobs)
    assert numbers == [1, 2, 3, 4, 5, 6]
    on_disk = sorted(p.name for p in (root / "race" / "gen").glob("v*"))
    assert on_disk == [f"v{n:03d}" for n in range(1, 7)]
