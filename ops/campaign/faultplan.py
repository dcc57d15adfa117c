"""Every fault the reference service can inject, with what ShotLoop must do about it.

One table shared by the fast suite (tests/reliability) and the campaign (run.py), so both
hold the agent to the same expectations. A mode is a prompt marker (applies to that one
job's create and its outputs) or service-wide rules (polls, output and upload requests
carry no prompt), plus the profile the job uses:

* ``reference``: the reference service with fast polling;
* ``uploads``:   the same, but every input goes through the upload flow (inline_max_mb=0);
* ``short``:     the same, with a 1 s read timeout (a slow create becomes "unknown");
* ``capped``:    the same, with a 10 KB download cap (bad input: outputs over the cap).

``outcome`` is "published", "failed" or "submit_unknown" (a create that may have made a
task waits for a person; ShotLoop never repeats it). ``creates`` is how many create
requests the service may see for the job: one, except after a 429 (refused, no task).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

__all__ = ["FaultMode", "FAULT_MODES", "PROFILE_CHANGES", "mode"]

# Profile fields each job profile changes on top of the reference profile.
PROFILE_CHANGES: dict[str, dict[str, Any]] = {
    "reference": {},
    "uploads": {"inline_max_mb": 0.0},
    "short": {"timeout_s": 1.0},
    "capped": {"max_download_mb": 0.01},  # 10 KB: every output is over the download cap
}
FAST_PROFILE: dict[str, Any] = {"poll_interval_s": 0.2, "retry_base_s": 0.05, "concurrency": 8}


def _rule(kind: str, **values: Any) -> Callable[[], Any]:
    def make() -> Any:
        from shotloop_refservice.faults import FaultRule

        return FaultRule(kind, **values)
    return make


@dataclass(frozen=True)
class FaultMode:
    name: str
    expected: str  # what ShotLoop does, in words (for the table and test ids)
    marker: str = ""
    rules: tuple[Callable[[], Any], ...] = ()
    profile: str = "reference"
    outcome: str = "published"
    error_code: str = ""
    retryable: bool | None = None
    creates: int = 1
    fault_kinds: tuple[str, ...] = ()  # kinds in the service's faults_fired counter
    extra: dict[str, Any] = field(default_factory=dict)

    def prompt(self, tag: str) -> str:
        """A prompt unique to one job (so its create can be counted) carrying the marker."""
        return f"orb over the sea [{tag}] {self.marker}".strip()

    def make_rules(self) -> list[Any]:
        return [make() for make in self.rules]


FAULT_MODES: tuple[FaultMode, ...] = (
    FaultMode("create_429", "waits Retry-After, creates once, publishes",
              marker="[[fault:status 429 retry_after=1 times=1]]", creates=2,
              fault_kinds=("status",)),
    FaultMode("create_5xx", "SUBMIT_UNKNOWN after one create, never resent",
              marker="[[fault:status 503]]", outcome="submit_unknown",
              error_code="create_outcome_unknown", fault_kinds=("status",)),
    FaultMode("create_5xx_after_task", "SUBMIT_UNKNOWN (task exists), never resent",
              marker="[[fault:status_after_create 502]]", outcome="submit_unknown",
              error_code="create_outcome_unknown", fault_kinds=("status_after_create",)),
    FaultMode("create_dropped", "SUBMIT_UNKNOWN after a dropped connection, never resent",
              marker="[[fault:drop]]", outcome="submit_unknown",
              error_code="create_outcome_unknown", fault_kinds=("drop",)),
    FaultMode("create_answer_lost", "SUBMIT_UNKNOWN (task made, answer lost), never resent",
              marker="[[fault:drop_after_create]]", outcome="submit_unknown",
              error_code="create_outcome_unknown", fault_kinds=("drop_after_create",)),
    FaultMode("create_slow", "waits for the slow answer, publishes",
              marker="[[fault:slow 1.5]]", fault_kinds=("slow",)),
    FaultMode("create_timeout", "SUBMIT_UNKNOWN after a read timeout, never resent",
              marker="[[fault:slow 3]]", profile="short", outcome="submit_unknown",
              error_code="create_outcome_unknown", fault_kinds=("slow",)),
    FaultMode("poll_5xx", "retries the GET, publishes",
              rules=(_rule("status", status=503, method="GET", path="/v1/tasks/*", times=3),),
              fault_kinds=("status",)),
    FaultMode("poll_dropped", "retries the GET, publishes",
              rules=(_rule("drop", method="GET", path="/v1/tasks/*", times=3),),
              fault_kinds=("drop",)),
    FaultMode("poll_slow", "waits for the slow GET, publishes",
              rules=(_rule("slow", seconds=1.0, method="GET", path="/v1/tasks/*", times=2),),
              fault_kinds=("slow",)),
    FaultMode("poll_429", "honours Retry-After on the GET, publishes",
              rules=(_rule("status", status=429, retry_after=0.3, method="GET",
                           path="/v1/tasks/*", times=2),),
              fault_kinds=("status",)),
    FaultMode("throttled", "stays queued while THROTTLED, publishes",
              marker="[[fault:throttle 1.5]]", fault_kinds=("throttle",)),
    FaultMode("safety", "FAILED with the moderation reason, not retryable",
              marker="[[fault:fail SAFETY.INPUT.TEXT]]", outcome="failed",
              error_code="task_failed", retryable=False, fault_kinds=("fail",)),
    FaultMode("internal", "FAILED, flagged retryable",
              marker="[[fault:fail INTERNAL]]", outcome="failed", error_code="task_failed",
              retryable=True, fault_kinds=("fail",)),
    FaultMode("output_expired", "polls again for a fresh URL, publishes",
              marker="[[fault:output_expired times=1]]", fault_kinds=("output_expired",)),
    FaultMode("output_truncated", "downloads again, publishes",
              marker="[[fault:output_truncated times=1]]", fault_kinds=("output_truncated",)),
    FaultMode("output_404_once", "polls again for a fresh URL, publishes",
              marker="[[fault:output_404 times=1]]", fault_kinds=("output_404",)),
    FaultMode("output_404", "gives up after 3 downloads: FAILED, no version",
              marker="[[fault:output_404]]", outcome="failed", error_code="download_failed",
              fault_kinds=("output_404",), extra={"output_gets": 3}),
    FaultMode("output_wrong_type", "FAILED at once (not media), not retryable",
              marker="[[fault:output_wrong_type]]", outcome="failed",
              error_code="download_failed", retryable=False,
              fault_kinds=("output_wrong_type",), extra={"output_gets": 1}),
    FaultMode("output_corrupt", "FAILED at ingest, no partial version",
              marker="[[fault:output_corrupt times=99]]", outcome="failed",
              error_code="ingest_failed", fault_kinds=("output_corrupt",)),
    FaultMode("output_dropped", "downloads again, publishes",
              rules=(_rule("drop", method="GET", path="/_out/*", times=1),),
              fault_kinds=("drop",)),
    FaultMode("upload_fail", "asks for a new upload slot each time, publishes",
              rules=(_rule("upload_fail", times=2),), profile="uploads",
              fault_kinds=("upload_fail",), extra={"upload_slots": 3}),
)


def mode(name: str) -> FaultMode:
    return next(m for m in FAULT_MODES if m.name == name)
