"""The words the panel shows: one line per error, job states, waiting times and costs.

Every error reaches the artist as one line (``ShotLoopError.message``: shot, field,
problem, fix); tracebacks stay in the log. A moderation (SAFETY) refusal is called what it
is, with what to change, because resending it unchanged can get an account suspended.
"""
from __future__ import annotations

import time
from typing import Any, Mapping

from ..errors import ShotLoopError
from ..model import Job, JobState

MODERATION_HINT = ("SAFETY: refused by the service's content moderation. Change what the line "
                   "above says before sending again; resending it unchanged can get the account "
                   "suspended.")

STATE_LABELS: Mapping[JobState, str] = {
    JobState.QUEUED: "Queued",
    JobState.UPLOADING: "Uploading",
    JobState.SUBMITTED: "Waiting for the service",
    JobState.RUNNING: "Generating",
    JobState.DOWNLOADING: "Downloading",
    JobState.INGESTING: "Conforming",
    JobState.PUBLISHED: "Published",
    JobState.FAILED: "Failed",
    JobState.CANCELLED: "Cancelled",
    JobState.SUBMIT_UNKNOWN: "Needs a decision",
}


def error_line(error: ShotLoopError | Mapping[str, Any] | None) -> str:
    """The one line to show for an error (or the ledger's error dict of a job)."""
    if error is None:
        return ""
    if isinstance(error, ShotLoopError):
        subs = getattr(error, "errors", None)
        if subs:
            return "; ".join(e.message for e in subs)
        return error.message
    message = str(error.get("message") or "")
    if not message:
        message = ShotLoopError.from_dict(dict(error)).message
    return " ".join(message.split())


def error_lines(error: ShotLoopError) -> list[str]:
    """Each problem of a (possibly multi-problem) error on its own line."""
    subs = getattr(error, "errors", None)
    return [e.message for e in subs] if subs else [error.message]


def is_moderation(error: Mapping[str, Any] | None) -> bool:
    """True when a job failed because the service's moderation refused it (SAFETY.*)."""
    if not error:
        return False
    text = " ".join(str(error.get(k) or "") for k in ("code", "problem", "fix", "message")).lower()
    return "safety" in text or "moderation" in text


def job_message(job: Job) -> str:
    """What to tell the artist about a job in one line (empty when all is well)."""
    if job.error:
        line = error_line(job.error)
        return f"SAFETY: {line}" if is_moderation(job.error) and "safety" not in line.lower() else line
    if job.state is JobState.SUBMIT_UNKNOWN:
        return "The service may or may not have started this task: check, then retry or cancel."
    if job.remote_status == "THROTTLED" and not job.state.final:
        return "The service is busy (THROTTLED): the job waits in its queue."
    return ""


def state_text(job: Job) -> str:
    label = STATE_LABELS.get(job.state, job.state.value.title())
    if job.state is JobState.PUBLISHED and job.version is not None:
        return f"{label} v{job.version:03d}"
    if job.remote_status and job.state in (JobState.SUBMITTED, JobState.RUNNING):
        return f"{label} ({job.remote_status})"
    return label


def waiting_seconds(job: Job, now: float | None = None) -> float:
    """How long the job has been on its way: until now, or until it ended."""
    if not job.created_at:
        return 0.0
    end = job.updated_at if job.state.final else (now if now is not None else time.time())
    return max(0.0, end - job.created_at)


def format_seconds(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}:{sec:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def cost_text(job: Job) -> str:
    """Credits charged, or the estimate marked with ~ while nothing is charged yet."""
    if job.credits:
        return f"{job.credits:,.0f}"
    if job.estimated_credits:
        return f"~{job.estimated_credits:,.0f}"
    return ""
