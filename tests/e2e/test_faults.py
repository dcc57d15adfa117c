"""What the loop does with the reference service's faults: retried, waited, or failed with a
reason a person can act on; never a lost job, a partial version or a blind second create."""
from __future__ import annotations

import time
from pathlib import Path

from shotloop.model import JobState

from .test_loop import make_shot, submit


def _creates_with(refservice, marker: str) -> int:
    return sum(1 for r in refservice.requests(path="/v1/image_to_video", method="POST")
               if marker in str(r.get("body", "")))


def _no_partial_versions(root: Path, shot: str) -> None:
    staging = root / ".staging"
    assert not staging.exists() or not any(staging.iterdir())
    assert not list((root / shot).glob("*/v*/")) if (root / shot).exists() else True


def test_safety_refusal_fails_with_an_explanation_and_no_version(agent, refservice, tmp_path):
    root = tmp_path / "shotloop"
    (job_id,) = submit(agent, [make_shot(tmp_path, "f010")], root, prompt="orb [[fault:fail SAFETY.INPUT.TEXT]]")
    (job,) = agent.wait_final([job_id])
    assert job.state is JobState.FAILED
    assert job.error["code"] == "task_failed" and "moderation" in job.reason
    assert "not be retried automatically" in job.reason
    _no_partial_versions(root, "f010")


def test_a_create_whose_answer_is_lost_is_never_repeated(agent, refservice, tmp_path):
    marker = "orb e2e-f020 [[fault:drop_after_create]]"  # unique: the service is shared by the session
    (job_id,) = submit(agent, [make_shot(tmp_path, "f020")], tmp_path / "shotloop", prompt=marker)
    # SUBMIT_UNKNOWN waits for a person, so it is not final: wait for it explicitly.
    deadline = time.monotonic() + 60
    while (job := agent.api.job(job_id)).state is not JobState.SUBMIT_UNKNOWN:
        assert time.monotonic() < deadline and not job.state.final, job
        agent.api.events(0, wait_s=0.5)
    assert job.error["code"] == "create_outcome_unknown"
    assert _creates_with(refservice, marker) == 1
    cancelled = agent.api.cancel(job_id)
    assert cancelled.state is JobState.CANCELLED


def test_rate_limited_create_waits_and_then_publishes(agent, refservice, tmp_path):
    marker = "orb e2e-f030 [[fault:status 429 retry_after=1 times=1]]"
    (job_id,) = submit(agent, [make_shot(tmp_path, "f030")], tmp_path / "shotloop", prompt=marker)
    (job,) = agent.wait_final([job_id])
    assert job.state is JobState.PUBLISHED, job.reason
    assert job.error is None  # the wait's reason does not outlive the wait
    assert _creates_with(refservice, marker) == 2  # the refused one and the accepted one


def test_truncated_download_is_fetched_again(agent, refservice, tmp_path):
    (job_id,) = submit(agent, [make_shot(tmp_path, "f040")], tmp_path / "shotloop",
                       prompt="orb [[fault:output_truncated times=1]]")
    (job,) = agent.wait_final([job_id])
    assert job.state is JobState.PUBLISHED, job.reason
    outs = [r for r in refservice.requests(method="GET") if r.get("path", "").startswith("/_out/")
            and job.remote_task_id in r.get("path", "")]
    assert len(outs) >= 2


def test_corrupt_output_fails_cleanly(agent, refservice, tmp_path):
    root = tmp_path / "shotloop"
    (job_id,) = submit(agent, [make_shot(tmp_path, "f050")], root, prompt="orb [[fault:output_corrupt times=99]]")
    (job,) = agent.wait_final([job_id])
    assert job.state is JobState.FAILED
    assert job.error["code"] == "ingest_failed", job.error
    _no_partial_versions(root, "f050")
    assert agent.api.versions("f050", root=str(root)) == []
