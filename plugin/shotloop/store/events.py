"""Ledger events: what hosts follow through the agent's long-poll feed.

Events are numbered by the ledger (``seq`` only grows, never reused), written in the same
transaction as the change they describe, and kept across restarts, so a host that asks for
"everything after 41" after a reconnect misses nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

__all__ = [
    "Event",
    "JOB_ADDED",
    "JOB_STATE",
    "JOB_PROGRESS",
    "VERSION_PUBLISHED",
    "VERSION_REVIEW",
    "EVENT_KINDS",
]

JOB_ADDED = "job.added"
JOB_STATE = "job.state"  # payload: state, previous, progress, remote_status, error, version
JOB_PROGRESS = "job.progress"  # payload: progress, remote_status
VERSION_PUBLISHED = "version.published"
VERSION_REVIEW = "version.review"  # payload: shot, label, number, status, note

EVENT_KINDS = frozenset({JOB_ADDED, JOB_STATE, JOB_PROGRESS, VERSION_PUBLISHED, VERSION_REVIEW})


@dataclass(frozen=True)
class Event:
    """One entry of the feed. ``payload`` is plain JSON data, already scrubbed of secrets;
    treat it as read-only. ``job_id`` is empty for events that are not about one job."""

    seq: int
    time: float
    kind: str
    job_id: str
    payload: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "time": self.time, "kind": self.kind,
                "job_id": self.job_id, "payload": dict(self.payload)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Event":
        return cls(seq=int(data["seq"]), time=float(data["time"]), kind=str(data["kind"]),
                   job_id=str(data.get("job_id", "")), payload=dict(data.get("payload") or {}))
