"""Task bodies in ShotLoop's terms, and failure classification (reference section 4.2)."""
from __future__ import annotations

import pytest

from shotloop.providers.base import TaskStatus
from shotloop.providers.runway_tasks import classify_failure, task_status

CREATED = "2026-08-26T06:30:33.796Z"


def task(status: str, **extra) -> dict:
    return {"id": "3f6c1a4e-1111-4c3b-9a65-000000000001", "status": status,
            "createdAt": CREATED, **extra}


def test_active_states():
    assert task_status(task("PENDING", estimatedCost={"credits": 25})) == TaskStatus(
        state="queued", remote_status="PENDING")
    throttled = task_status(task("THROTTLED", estimatedCost={"credits": 25}))
    assert throttled.state == "queued" and throttled.remote_status == "THROTTLED"
    running = task_status(task("RUNNING", progress=0.4, estimatedCost={"credits": 25}))
    assert (running.state, running.progress, running.terminal) == ("running", 0.4, False)
    assert task_status(task("RUNNING", progress=7)).progress == 1.0
    assert task_status(task("SOMETHING_NEW")).state == "running"


def test_succeeded_carries_outputs_and_cost():
    url = "http://127.0.0.1:1/_out/a.mp4?_jwt=token"
    done = task_status(task("SUCCEEDED", output=[url], cost={"credits": 25}))
    assert done == TaskStatus(state="succeeded", remote_status="SUCCEEDED", progress=1.0,
                              outputs=(url,), credits=25.0)
    assert done.terminal


def test_cancelled():
    gone = task_status(task("CANCELLED", cost={"credits": 0}))
    assert (gone.state, gone.credits) == ("cancelled", 0.0)


@pytest.mark.parametrize("code, retryable", [
    ("SAFETY.INPUT.TEXT", False),
    ("SAFETY.INPUT.IMAGE", False),
    ("SAFETY.OUTPUT.VIDEO", False),
    ("INPUT_PREPROCESSING.SAFETY.TEXT", False),
    ("ASSET.INVALID", False),
    ("INTERNAL.BAD_OUTPUT.CODE01", False),
    ("INPUT_PREPROCESSING.INTERNAL", True),
    ("INTERNAL", True),
    ("THIRD_PARTY.UNAVAILABLE", True),
    (None, True),
    ("SOMETHING.ELSE", False),
])
def test_failure_classes(code, retryable):
    failed = task_status(task("FAILED", failure="raw text from the service",
                              failureCode=code, cost={"credits": 0}))
    assert failed.state == "failed" and failed.terminal
    assert failed.failure_code == code
    assert failed.retryable is retryable
    assert failed.failure and failed.credits == 0.0
    assert classify_failure(code).retryable is retryable


def test_moderation_never_echoes_the_raw_text():
    failed = task_status(task("FAILED", failure="your prompt mentions Someone Famous",
                              failureCode="SAFETY.INPUT.TEXT", cost={"credits": 5}))
    assert "Someone Famous" not in failed.failure
    assert "moderation" in failed.failure and "INPUT.TEXT" in failed.failure
    assert "do not resubmit" in failed.failure.lower()
    internal = task_status(task("FAILED", failure="GPU fell over", failureCode="INTERNAL",
                                cost={"credits": 0}))
    assert "GPU fell over" in internal.failure


def test_failure_text_is_redacted():
    failed = task_status(task("FAILED", failureCode="INTERNAL", cost={"credits": 0},
                              failure="see https://cdn.example.com/x.mp4?_jwt=SECRET and "
                                      "key_" + "ab" * 20))
    assert "SECRET" not in failed.failure and "abab" not in failed.failure
