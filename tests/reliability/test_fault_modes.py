"""Every fault mode of the reference service end to end through the agent.

The expectations come from ops/campaign/faultplan.py (shared with the campaign). Modes
carried by a prompt marker run together in one batch; modes made of service-wide rules
(polls, output and upload requests carry no prompt) run one job at a time so the rule
hits that job. For each: the expected outcome, no job lost, no partial version, and the
create call counted on the service (never repeated blindly).
"""
from __future__ import annotations

from typing import Any

import pytest

from ops.campaign.audit import audit_jobs
from ops.campaign.faultplan import FAULT_MODES, FaultMode
from shotloop.model import JobState

from .helpers import events_of, job_request, make_shot, send_all, shot_like, wait_settled

MARKER_MODES = [m for m in FAULT_MODES if not m.rules]
RULE_MODES = [m for m in FAULT_MODES if m.rules]
OUTCOME_STATE = {"published": JobState.PUBLISHED, "failed": JobState.FAILED,
                 "submit_unknown": JobState.SUBMIT_UNKNOWN}


def _creates(service: Any, tag: str) -> int:
    """Create requests the service saw for one job (its prompt carries ``tag``)."""
    return sum(1 for r in service.requests(method="POST")
               if r["path"].startswith("/v1/") and r["path"] != "/v1/uploads"
               and f"[{tag}]" in str(r.get("body", "")))


def _output_gets(service: Any, task_id: str) -> list[int | None]:
    return [r["status"] for r in service.requests(method="GET")
            if task_id and r["path"].startswith("/_out/") and task_id in r["path"]]


def _check(mode: FaultMode, job: Any, service: Any, tag: str) -> None:
    expected = OUTCOME_STATE[mode.outcome]
    assert job.state is expected, f"{mode.name}: {job.state.value} ({job.reason})"
    if mode.outcome == "published":
        assert job.error is None or job.state is JobState.PUBLISHED
        assert job.version is not None
    else:
        assert job.error and job.error["code"] == mode.error_code, job.error
        assert job.error["shot"] == job.shot.name and job.error["field"], job.error
        assert job.shot.name in job.reason
        if mode.retryable is not None:
            assert job.error["retryable"] is mode.retryable, job.error
    assert _creates(service, tag) == mode.creates, f"{mode.name}: blind or missing create"
    if "output_gets" in mode.extra:
        assert len(_output_gets(service, job.remote_task_id)) == mode.extra["output_gets"]


@pytest.fixture(scope="module")
def marker_batch(rel_agent, rel_service, tmp_path_factory) -> dict[str, Any]:
    """All marker modes as one batch; returns the settled jobs by mode name."""
    tmp = tmp_path_factory.mktemp("marker-batch")
    root = tmp / "shotloop"
    plate = make_shot(tmp, "plate")
    before = rel_service.stats()
    requests = [job_request(shot_like(plate, f"m_{m.name}"), root, profile=m.profile,
                            prompt=m.prompt(f"m_{m.name}")) for m in MARKER_MODES]
    ids = send_all(rel_agent.api, requests)
    jobs = wait_settled(rel_agent.api, ids, deadline_s=120)
    return {"jobs": {m.name: j for m, j in zip(MARKER_MODES, jobs)}, "root": root,
            "before": before, "after": rel_service.stats()}


@pytest.mark.parametrize("mode", MARKER_MODES, ids=[m.name for m in MARKER_MODES])
def test_marker_fault_mode(mode, marker_batch, rel_service):
    _check(mode, marker_batch["jobs"][mode.name], rel_service, f"m_{mode.name}")


def test_marker_batch_loses_nothing_and_leaves_no_partial_version(marker_batch, rel_agent, rel_service):
    jobs = list(marker_batch["jobs"].values())
    audit = audit_jobs(jobs, [marker_batch["root"]])
    assert audit.ok, str(audit)
    assert audit.published == sum(m.outcome == "published" for m in MARKER_MODES)
    assert audit.versions_checked == audit.published
    before, after = marker_batch["before"], marker_batch["after"]
    assert after["duplicate_creates"] == before["duplicate_creates"]
    for mode in MARKER_MODES:
        for kind in mode.fault_kinds:
            assert after["faults_fired"].get(kind, 0) > before["faults_fired"].get(kind, 0), kind


def test_throttled_job_waits_in_queue_then_publishes(marker_batch, rel_agent):
    job = marker_batch["jobs"]["throttled"]
    seen = {e.payload.get("remote_status") for e in events_of(rel_agent.api, job.job_id)}
    assert "THROTTLED" in seen and job.state is JobState.PUBLISHED


def test_expired_and_404_outputs_are_polled_again(marker_batch, rel_service):
    for name, refused in (("output_expired", {403, 410}), ("output_404_once", {404})):
        statuses = _output_gets(rel_service, marker_batch["jobs"][name].remote_task_id)
        assert statuses[-1] == 200 and refused & set(statuses[:-1]), (name, statuses)


def test_unknown_creates_wait_for_a_person_and_are_never_resent(marker_batch, rel_agent, rel_service):
    unknown = [(n, j) for n, j in marker_batch["jobs"].items() if j.state is JobState.SUBMIT_UNKNOWN]
    assert len(unknown) == sum(m.outcome == "submit_unknown" for m in MARKER_MODES)
    for name, job in unknown:
        assert "never resends" in job.reason or "never" in job.error["fix"], job.reason
        cancelled = rel_agent.api.cancel(job.job_id)
        assert cancelled.state is JobState.CANCELLED
        assert _creates(rel_service, f"m_{name}") == 1


@pytest.mark.parametrize("mode", RULE_MODES, ids=[m.name for m in RULE_MODES])
def test_rule_fault_mode(mode, rel_agent, rel_service, tmp_path):
    root = tmp_path / "shotloop"
    tag = f"r_{mode.name}"
    before = rel_service.stats()
    for rule in mode.make_rules():
        rel_service.faults.add(rule)
    (job_id,) = send_all(rel_agent.api, [job_request(make_shot(tmp_path, tag), root,
                                                     profile=mode.profile, prompt=mode.prompt(tag))])
    (job,) = wait_settled(rel_agent.api, [job_id], deadline_s=60)
    after = rel_service.stats()
    _check(mode, job, rel_service, tag)
    for kind in mode.fault_kinds:
        assert after["faults_fired"].get(kind, 0) > before["faults_fired"].get(kind, 0), kind
    if "upload_slots" in mode.extra:
        routes = after["requests_by_route"]
        slots = routes.get("POST /v1/uploads", 0) - before["requests_by_route"].get("POST /v1/uploads", 0)
        assert slots == mode.extra["upload_slots"]
        assert job.details["request"]["promptImage"].startswith("runway://")
    audit = audit_jobs([job], [root])
    assert audit.ok, str(audit)
    assert after["duplicate_creates"] == before["duplicate_creates"]


def test_an_internal_failure_can_be_retried_by_a_person_and_then_publishes(rel_agent, rel_service, tmp_path):
    root = tmp_path / "shotloop"
    marker = "[[fault:fail INTERNAL times=1]]"
    (job_id,) = send_all(rel_agent.api, [job_request(make_shot(tmp_path, "retry"), root,
                                                     prompt=f"orb [retry] {marker}")])
    (failed,) = wait_settled(rel_agent.api, [job_id])
    assert failed.state is JobState.FAILED and failed.error["retryable"] is True
    rel_agent.api.retry(job_id)
    (job,) = wait_settled(rel_agent.api, [job_id])
    assert job.state is JobState.PUBLISHED and job.attempt == 2 and job.version == 1
    assert _creates(rel_service, "retry") == 2  # one per decision, none blind
    assert audit_jobs([job], [root]).ok
