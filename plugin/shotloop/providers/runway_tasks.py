"""Runway task objects in ShotLoop's terms: normalized states and classified failures.

Pure functions over the JSON the API returns (shared reference, sections 3 and 4.2), so
the rules can be tested without a server.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Mapping

from ..errors import redact
from .base import TaskStatus

log = logging.getLogger(__name__)

__all__ = ["STATE_OF", "FailureClass", "classify_failure", "task_status"]

STATE_OF: Mapping[str, str] = {
    "PENDING": "queued",
    "THROTTLED": "queued",  # saved and waiting for a concurrency slot: not failed, not running
    "RUNNING": "running",
    "SUCCEEDED": "succeeded",
    "FAILED": "failed",
    "CANCELLED": "cancelled",
}


@dataclass(frozen=True)
class FailureClass:
    """How ShotLoop treats one failure code: a sentence for a person, a suggestion, and
    whether a new explicit attempt (same recipe) may succeed."""

    explanation: str
    suggestion: str
    retryable: bool
    show_detail: bool = True  # False for moderation: never echo the raw failure text


def classify_failure(code: str | None) -> FailureClass:
    """Classify a ``failureCode`` per the reference's section 4.2.

    SAFETY* and ASSET.INVALID are permanent; INTERNAL, INPUT_PREPROCESSING.INTERNAL and
    THIRD_PARTY.* may work on a new attempt (the runner caps how many). INTERNAL.BAD_OUTPUT
    is marked not retryable: the same input and seed usually fail the same way, so a
    person should change them. A missing code counts as INTERNAL; an unknown code is
    not retried automatically.
    """
    if code is None or code == "":
        return FailureClass("The service failed without saying why.",
                            "Try again later; if it keeps failing, change the seed.", True)
    upper = code.upper()
    if upper.startswith("SAFETY.INPUT") or upper.startswith("INPUT_PREPROCESSING.SAFETY"):
        category = upper.split(".", 1)[1] if "." in upper else upper
        return FailureClass(
            f"An input was rejected by the service's content moderation ({category}).",
            "Change the prompt or the keyframes before sending again; do not resubmit "
            "unchanged, repeated moderated requests can get the account suspended.",
            False, show_detail=False)
    if upper.startswith("SAFETY.OUTPUT") or upper.startswith("SAFETY"):
        return FailureClass(
            "The generated output was rejected by the service's content moderation.",
            "Change the prompt or the seed before sending again; check the credits charged.",
            False, show_detail=False)
    if upper.startswith("ASSET.INVALID"):
        return FailureClass(
            "An input did not meet the model's constraints (size, duration or resolution).",
            "Check the keyframe or proxy size and length against the model, then send again.",
            False)
    if upper.startswith("INTERNAL.BAD_OUTPUT"):
        return FailureClass(
            "The service discarded the output on quality grounds; text or graphics on the "
            "input image often cause this.",
            "Change the seed or clean the keyframe, then send again.", False)
    if upper == "INPUT_PREPROCESSING.INTERNAL":
        return FailureClass("The service's moderation step failed internally.",
                            "Send again after a short wait.", True)
    if upper.startswith("INTERNAL"):
        return FailureClass("The service had an internal error.",
                            "Send again after a short wait.", True)
    if upper.startswith("THIRD_PARTY"):
        return FailureClass("The third-party model behind this service is unavailable.",
                            "Send again later, or choose another model.", True)
    return FailureClass(f"The service failed with an unrecognised code ({redact(code)}).",
                        "Check the inputs and the recipe; ShotLoop does not retry unknown "
                        "failures on its own.", False)


def _credits(task: Mapping[str, Any]) -> float | None:
    cost = task.get("cost")
    if isinstance(cost, Mapping):
        value = cost.get("credits")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    return None


def task_status(task: Mapping[str, Any]) -> TaskStatus:
    """Normalize one ``GET /v1/tasks/{id}`` body."""
    remote = str(task.get("status", "")).upper()
    state = STATE_OF.get(remote)
    if state is None:
        # A status this client does not know yet: keep waiting rather than fail the job.
        log.warning("unknown task status %r; treating it as running", redact(remote))
        state = "running"
    progress = 0.0
    raw_progress = task.get("progress")
    if isinstance(raw_progress, (int, float)) and not isinstance(raw_progress, bool):
        progress = min(1.0, max(0.0, float(raw_progress)))
    if state == "succeeded":
        progress = 1.0
    outputs: tuple[str, ...] = ()
    if state == "succeeded":
        raw = task.get("output")
        # A list of URLs; anything else (a bare string would iterate as characters) is no output.
        outputs = tuple(u for u in raw if isinstance(u, str)) if isinstance(raw, list) else ()
    if state != "failed":
        return TaskStatus(state=state, remote_status=remote, progress=progress,
                          outputs=outputs, credits=_credits(task))
    code = task.get("failureCode")
    code = str(code) if code not in (None, "") else None
    kind = classify_failure(code)
    failure = f"{kind.explanation} {kind.suggestion}"
    detail = str(task.get("failure") or "").strip()
    if kind.show_detail and detail:
        failure = f"{kind.explanation} Service said: {redact(detail)[:300]}. {kind.suggestion}"
    return TaskStatus(state="failed", remote_status=remote, progress=progress,
                      failure_code=code, failure=failure, retryable=kind.retryable,
                      credits=_credits(task))
