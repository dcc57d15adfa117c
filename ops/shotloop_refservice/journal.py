"""What clients sent, for test assertions (GET /_mock/requests) and counters (stats).

Secrets never enter the journal: the Authorization and Cookie headers are dropped (only
whether a bearer was present is kept) and long strings such as data URIs are shortened.
"""
from __future__ import annotations

import collections
import hashlib
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Mapping

_HIDDEN_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})
_LONG = 200
_TASK_PATH = re.compile(r"^/v1/tasks/[^/]+$")
_OUT_PATH = re.compile(r"^/_out/[^/]+$")


def body_key(raw: bytes, parsed: Any) -> str:
    """A hash that is the same for the same request body (canonical for JSON)."""
    if isinstance(parsed, (dict, list)):
        raw = json.dumps(parsed, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(raw).hexdigest()


def route_of(method: str, path: str) -> str:
    """The path with ids replaced, for per-route counters."""
    if _TASK_PATH.match(path):
        path = "/v1/tasks/{id}"
    elif _OUT_PATH.match(path):
        path = "/_out/{id}"
    return f"{method} {path}"


def shorten(value: Any) -> Any:
    """A copy of a JSON value with long strings cut down (data URIs, big prompts)."""
    if isinstance(value, str) and len(value) > _LONG:
        return f"{value[:60]}...({len(value)} chars)"
    if isinstance(value, list):
        return [shorten(v) for v in value]
    if isinstance(value, dict):
        return {k: shorten(v) for k, v in value.items()}
    return value


@dataclass
class Entry:
    seq: int
    time: float
    method: str
    path: str
    query: str
    headers: dict[str, str]
    auth: str  # "bearer", "none" or "other"; never the value
    body: Any
    body_hash: str
    attempt: int  # how many times this method+path+body has been seen, this one included
    retry_count: int | None  # x-stainless-retry-count, when the client sent it
    status: int | None = None
    outcome: str = ""  # "", "dropped", "truncated", "fault:<kind>"

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "auth": self.auth,
            "body": self.body,
            "bodyHash": self.body_hash,
            "attempt": self.attempt,
            "retryCount": self.retry_count,
            "status": self.status,
            "outcome": self.outcome,
        }


@dataclass
class _Counters:
    requests: int = 0
    by_route: collections.Counter = field(default_factory=collections.Counter)
    by_status: collections.Counter = field(default_factory=collections.Counter)
    dropped: int = 0
    truncated: int = 0


class Journal:
    """Thread-safe request log with a size cap, and request counters."""

    def __init__(self, limit: int = 5000) -> None:
        self._lock = threading.Lock()
        self._entries: collections.deque[Entry] = collections.deque(maxlen=limit)
        self._attempts: collections.Counter = collections.Counter()
        self._seq = 0
        self._counters = _Counters()

    def record(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        raw: bytes,
        parsed: Any,
    ) -> Entry:
        key = body_key(raw, parsed)
        auth_value = headers.get("authorization", "")
        auth = "none" if not auth_value else "bearer" if auth_value.lower().startswith("bearer ") else "other"
        retry = headers.get("x-stainless-retry-count", "")
        with self._lock:
            self._seq += 1
            self._attempts[(method, path, key)] += 1
            entry = Entry(
                seq=self._seq,
                time=time.time(),
                method=method,
                path=path,
                query=query,
                headers={k: v for k, v in headers.items() if k not in _HIDDEN_HEADERS},
                auth=auth,
                body=shorten(parsed),
                body_hash=key,
                attempt=self._attempts[(method, path, key)],
                retry_count=int(retry) if retry.isdigit() else None,
            )
            self._entries.append(entry)
            self._counters.requests += 1
            self._counters.by_route[route_of(method, path)] += 1
            return entry

    def finish(self, entry: Entry, status: int | None) -> None:
        """Record the answer's status (``None``: there was no answer)."""
        with self._lock:
            entry.status = status
            if status is not None:
                self._counters.by_status[str(status)] += 1

    def mark(self, entry: Entry, outcome: str) -> None:
        """Note what happened besides the status: "dropped", "truncated", "fault:<kind>"."""
        with self._lock:
            entry.outcome = outcome
            if outcome == "dropped":
                self._counters.dropped += 1
            elif outcome == "truncated":
                self._counters.truncated += 1

    def entries(self, path: str | None = None, method: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [
                e.to_dict()
                for e in self._entries
                if (path is None or e.path == path) and (method is None or e.method == method.upper())
            ]

    def counters(self) -> dict[str, Any]:
        with self._lock:
            c = self._counters
            return {
                "requests": c.requests,
                "requests_by_route": dict(c.by_route),
                "responses_by_status": dict(c.by_status),
                "dropped_connections": c.dropped,
                "truncated_responses": c.truncated,
            }

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()
            self._attempts.clear()
            self._counters = _Counters()


class CreateLog:
    """Tasks made per create path, and how many repeated an earlier body (duplicates)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_path: collections.Counter = collections.Counter()
        self._bodies: collections.Counter = collections.Counter()
        self._faulted = 0

    def record(self, path: str, body_hash: str) -> None:
        with self._lock:
            self._by_path[path] += 1
            self._bodies[body_hash] += 1

    def answered_with_fault(self) -> None:
        """A task was made but its create was answered with a 5xx or a dropped connection."""
        with self._lock:
            self._faulted += 1

    def counters(self) -> dict[str, Any]:
        with self._lock:
            return {
                "creates": sum(self._by_path.values()),
                "creates_by_path": dict(self._by_path),
                "duplicate_creates": sum(n - 1 for n in self._bodies.values() if n > 1),
                "creates_answered_with_fault": self._faulted,
            }

    def reset(self) -> None:
        with self._lock:
            self._by_path.clear()
            self._bodies.clear()
            self._faulted = 0
