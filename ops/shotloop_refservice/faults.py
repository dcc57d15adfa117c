"""Fault injection: rules set per run, and markers carried by one request's prompt.

A rule (``FaultRule``) matches on method, path (a glob), the Nth matching request and/or a
substring of ``promptText``, and fires ``times`` times (default once; ``None`` = always).
A marker such as ``[[fault:status 429 retry_after=90]]`` inside ``promptText`` applies to
every request carrying that exact body (so SDK retries see it too) unless it says
``times=N``; output markers apply to the task's first ``times`` output downloads.

Marker grammar: ``[[fault:KIND ARG... key=value...]]`` with
  status N [retry_after=S] [should_retry=true|false]   answer N instead of handling
  drop                                                 close the connection, no answer
  status_after_create N / drop_after_create            create the task, then fail
  slow S                                               wait S seconds before answering
  throttle S                                           hold the task THROTTLED for S seconds
  fail CODE [failure=Human_text]                       the task ends FAILED with CODE
  output_expired | output_truncated | output_corrupt | output_404 | output_wrong_type
  upload_fail                                          the storage POST answers 500
"""
from __future__ import annotations

import fnmatch
import itertools
import re
import threading
from dataclasses import asdict, dataclass, fields
from typing import Any, Iterable, Mapping

from shotloop.errors import ShotLoopError

PHASES: Mapping[str, str] = {
    "slow": "delay",
    "status": "pre",
    "drop": "pre",
    "status_after_create": "post_create",
    "drop_after_create": "post_create",
    "fail": "task",
    "throttle": "task",
    "output_expired": "output",
    "output_truncated": "output",
    "output_corrupt": "output",
    "output_404": "output",
    "output_wrong_type": "output",
    "upload_fail": "upload",
}
KINDS = tuple(PHASES)

FAILURE_TEXT: Mapping[str, str] = {
    "SAFETY.INPUT": "The input did not pass content moderation.",
    "SAFETY.OUTPUT": "The generated output did not pass content moderation.",
    "INPUT_PREPROCESSING.SAFETY": "The prompt was rejected during preprocessing.",
    "INPUT_PREPROCESSING.INTERNAL": "Input moderation could not be completed.",
    "INTERNAL.BAD_OUTPUT": "The output did not meet quality standards. Try another input or seed.",
    "ASSET.INVALID": "An input asset does not meet the model's requirements.",
    "THIRD_PARTY.UNAVAILABLE": "The model provider is temporarily unavailable.",
    "INTERNAL": "An internal error occurred.",
}

_MARKER = re.compile(r"\[\[fault:([^\]]*)\]\]")
_POSITIONAL = {
    "status": "status",
    "status_after_create": "status",
    "slow": "seconds",
    "throttle": "seconds",
    "fail": "failure_code",
}


class FaultSpecInvalid(ShotLoopError):
    """A rule or marker that cannot be understood."""

    code = "fault_spec_invalid"


@dataclass(frozen=True)
class FaultRule:
    kind: str
    status: int | None = None
    retry_after: float | None = None
    should_retry: bool | None = None  # sends x-should-retry when set
    seconds: float = 0.0
    failure_code: str = ""
    failure: str = ""
    method: str | None = None
    path: str | None = None  # glob on the request path, e.g. "/v1/tasks/*"
    nth: int | None = None  # fire from the Nth matching request on
    marker: str | None = None  # promptText must contain this
    times: int | None = 1  # hits before the rule is spent; None = unlimited

    def __post_init__(self) -> None:
        if self.kind not in PHASES:
            raise FaultSpecInvalid(f"unknown fault kind {self.kind!r}; known: {', '.join(KINDS)}")
        if self.kind in ("status", "status_after_create") and not self.status:
            raise FaultSpecInvalid(f"{self.kind} needs a status code")
        if self.kind == "fail" and not self.failure_code:
            raise FaultSpecInvalid("fail needs a failure code, e.g. SAFETY.INPUT.TEXT")

    @property
    def phase(self) -> str:
        return PHASES[self.kind]

    def failure_text(self) -> str:
        if self.failure:
            return self.failure
        for prefix, text in FAILURE_TEXT.items():
            if self.failure_code.startswith(prefix):
                return text
        return "The task failed."


def rule_from_dict(data: Mapping[str, Any]) -> FaultRule:
    """A rule from JSON (POST /_mock/faults, --fault); unknown keys are refused."""
    known = {f.name for f in fields(FaultRule)}
    extra = set(data) - known
    if extra:
        raise FaultSpecInvalid(f"unknown fault keys: {sorted(extra)}")
    try:
        return FaultRule(**dict(data))
    except TypeError as exc:
        raise FaultSpecInvalid(str(exc)) from exc


def parse_markers(prompt: str) -> list[tuple[str, FaultRule]]:
    """Every ``[[fault:...]]`` marker in ``prompt`` as (marker text, rule)."""
    found = []
    for match in _MARKER.finditer(prompt or ""):
        found.append((match.group(0), _marker_rule(match.group(1))))
    return found


def strip_markers(prompt: str) -> str:
    return _MARKER.sub("", prompt or "").strip()


def _marker_rule(spec: str) -> FaultRule:
    tokens = spec.split()
    if not tokens:
        raise FaultSpecInvalid("empty fault marker")
    kind, args = tokens[0], tokens[1:]
    values: dict[str, Any] = {"kind": kind, "times": None}
    for arg in args:
        key, sep, raw = arg.partition("=")
        if not sep:
            key, raw = _POSITIONAL.get(kind, ""), arg
            if not key:
                raise FaultSpecInvalid(f"{kind} takes no positional argument ({arg!r})")
        values[key] = _coerce(key, raw)
    return rule_from_dict(values)


def _coerce(key: str, raw: str) -> Any:
    try:
        if key in ("status", "nth", "times"):
            return int(raw)
        if key in ("retry_after", "seconds"):
            return float(raw)
    except ValueError as exc:
        raise FaultSpecInvalid(f"{key}={raw!r} is not a number") from exc
    if key == "should_retry":
        return raw.lower() in ("1", "true", "yes")
    if key == "failure":
        return raw.replace("_", " ")
    return raw


@dataclass
class _Slot:
    """A stored rule and its counters (guarded by FaultSet's lock)."""

    rule_id: str
    rule: FaultRule
    seen: int = 0
    hits: int = 0


class FaultSet:
    """The rules in force, plus hit counters for prompt markers. Thread-safe."""

    def __init__(self, rules: Iterable[FaultRule] = ()) -> None:
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._slots: list[_Slot] = []
        self._marker_hits: dict[tuple[str, str, str], int] = {}
        self._fired: dict[str, int] = {}
        for rule in rules:
            self.add(rule)

    def add(self, rule: FaultRule) -> str:
        with self._lock:
            rule_id = f"f{next(self._ids)}"
            self._slots.append(_Slot(rule_id, rule))
            return rule_id

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            before = len(self._slots)
            self._slots = [s for s in self._slots if s.rule_id != rule_id]
            return len(self._slots) != before

    def clear(self) -> None:
        """Drop every rule and marker counter (fired totals are kept for stats)."""
        with self._lock:
            self._slots.clear()
            self._marker_hits.clear()

    def reset(self) -> None:
        with self._lock:
            self._slots.clear()
            self._marker_hits.clear()
            self._fired.clear()

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [
                dict(asdict(s.rule), id=s.rule_id, seen=s.seen, hits=s.hits) for s in self._slots
            ]

    def fired(self) -> dict[str, int]:
        with self._lock:
            return dict(self._fired)

    def take(
        self, phase: str, *, method: str, path: str, prompt: str = "", key: str = ""
    ) -> FaultRule | None:
        """The first rule or marker of ``phase`` that fires for this request, counted.

        ``key`` identifies "the same request" for marker counting (a body hash, or a
        task id for output faults).
        """
        with self._lock:
            return self._take(phase, method, path, prompt, key, frozenset())

    def take_all(
        self, phase: str, *, method: str, path: str, prompt: str = "", key: str = ""
    ) -> list[FaultRule]:
        """Like ``take`` but at most one fault of each kind (task faults combine)."""
        taken: list[FaultRule] = []
        with self._lock:
            while True:
                rule = self._take(phase, method, path, prompt, key, frozenset(r.kind for r in taken))
                if rule is None:
                    return taken
                taken.append(rule)

    def _take(
        self, phase: str, method: str, path: str, prompt: str, key: str, skip: frozenset[str]
    ) -> FaultRule | None:
        fired = self._take_rule(phase, method, path, prompt, skip)
        if fired is None:
            fired = self._take_marker(phase, prompt, key, skip)
        if fired is not None:
            self._fired[fired.kind] = self._fired.get(fired.kind, 0) + 1
        return fired

    def _take_rule(
        self, phase: str, method: str, path: str, prompt: str, skip: frozenset[str]
    ) -> FaultRule | None:
        for slot in self._slots:
            rule = slot.rule
            if rule.phase != phase or rule.kind in skip:
                continue
            if not _matches(rule, method, path, prompt):
                continue
            slot.seen += 1
            if rule.nth is not None and slot.seen < rule.nth:
                continue
            if rule.times is not None and slot.hits >= rule.times:
                continue
            slot.hits += 1
            return rule
        return None

    def _take_marker(
        self, phase: str, prompt: str, key: str, skip: frozenset[str]
    ) -> FaultRule | None:
        if "[[fault:" not in (prompt or ""):
            return None
        for text, rule in parse_markers(prompt):
            if rule.phase != phase or rule.kind in skip:
                continue
            counter = (phase, text, key)
            hits = self._marker_hits.get(counter, 0)
            if rule.times is not None and hits >= rule.times:
                continue
            self._marker_hits[counter] = hits + 1
            return rule
        return None


def _matches(rule: FaultRule, method: str, path: str, prompt: str) -> bool:
    if rule.method and rule.method.upper() != method.upper():
        return False
    if rule.path and not fnmatch.fnmatchcase(path, rule.path):
        return False
    if rule.marker and rule.marker not in (prompt or ""):
        return False
    return True
