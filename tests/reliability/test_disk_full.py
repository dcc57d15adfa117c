"""A disk that fills up while a version is written: a clear error naming the shot and the
field, no partial version, the staging folder gone, the published take untouched, and the
next attempt publishes once there is room again."""
from __future__ import annotations

import errno
import os
import subprocess

import pytest

from ops.campaign.audit import snapshot
from ops.campaign.tinyfs import tiny_filesystem
from shotloop.errors import PublishFailed
from shotloop.model import JobState
from shotloop.store import atomic
from shotloop.store.versions import VersionStore

from .helpers import job_request, make_shot, send_all, wait_settled


@pytest.fixture
def tiny_store(tmp_path):
    with tiny_filesystem(tmp_path / "tiny", size_kb=700) as tiny:
        if tiny is None:
            pytest.skip("a tiny tmpfs cannot be mounted here (needs root); "
                        "see the simulated test below")
        yield tiny


def test_ingest_on_a_full_disk_fails_cleanly_and_recovers(rel_agent, tiny_store, tmp_path):
    shot = make_shot(tmp_path, "full")
    (first,) = wait_settled(rel_agent.api, send_all(rel_agent.api, [job_request(shot, tiny_store, seed=1)]))
    assert first.state is JobState.PUBLISHED and first.version == 1, first.reason
    published = snapshot(tiny_store / "full" / "gen" / "v001")

    (job,) = wait_settled(rel_agent.api, send_all(rel_agent.api, [job_request(shot, tiny_store, seed=2)]))
    assert job.state is JobState.FAILED
    assert job.error["shot"] == "full" and job.error["field"], job.error
    assert "write" in job.reason.lower() or "space" in job.reason.lower(), job.reason
    assert snapshot(tiny_store / "full" / "gen" / "v001") == published
    assert sorted(p.name for p in (tiny_store / "full" / "gen").glob("v*")) == ["v001"]
    assert not any((tiny_store / ".staging").iterdir())

    subprocess.run(["mount", "-o", "remount,size=4m", str(tiny_store)], check=True, timeout=30)
    rel_agent.api.retry(job.job_id)
    (again,) = wait_settled(rel_agent.api, [job.job_id])
    assert again.state is JobState.PUBLISHED and again.version == 2  # the number it reserved
    assert snapshot(tiny_store / "full" / "gen" / "v001") == published


def test_simulated_disk_full_on_version_json_refuses_to_publish(tmp_path, monkeypatch):
    """Simulated (a unit test): the atomic writer's rename raises ENOSPC."""
    store = VersionStore(tmp_path / "store")
    number = store.reserve("sim010", "gen", "job-sim")
    staging = store.staging("sim010", "gen", number)
    (staging / "sim010_gen_v001.1001.exr").write_bytes(b"frame")
    before = snapshot(tmp_path)

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(atomic.os, "replace", no_space)
    with pytest.raises(PublishFailed) as info:
        store.publish(staging, "sim010", "gen", number, {
            "job_id": "job-sim", "conformed": {"fps": 24.0, "resolution": {"width": 64, "height": 36}}})
    assert info.value.shot == "sim010" and info.value.field == "version.json"
    assert "No space left" in info.value.message
    assert snapshot(tmp_path) == before  # no temp file, nothing renamed
    assert store.versions("sim010") == []
