"""One error tree for ShotLoop.

Every error a person can see names the shot, the field, the problem and the fix, so the
panel, the CLI and the log can show one actionable line
("sh010: recipe.duration 12 is not offered by gen4_turbo. Fix: choose one of [5, 10]").
Tracebacks go only to the log. Messages never contain keys, Authorization headers or
signed query strings: build them from values that were redacted first (see ``redact``).
"""
from __future__ import annotations

import re
from typing import Any

__all__ = [
    "ShotLoopError",
    "RecipeInvalid",
    "PlateInvalid",
    "EditInvalid",
    "SettingsInvalid",
    "SecretMissing",
    "ProviderError",
    "ProviderAuthFailed",
    "ProviderRejected",
    "ProviderRateLimited",
    "ProviderUnavailable",
    "CreateOutcomeUnknown",
    "TaskFailed",
    "TaskLost",
    "DownloadFailed",
    "IngestFailed",
    "PublishFailed",
    "JobNotFound",
    "JobCancelled",
    "AgentUnavailable",
    "AgentRefused",
    "NameInvalid",
    "VersionNotFound",
    "IllegalTransition",
    "LedgerError",
    "redact",
]

_SECRET_PATTERNS = (
    # Runway-style keys and anything that looks like a bearer token.
    (re.compile(r"key_[0-9a-fA-F]{16,}"), "key_***"),
    (re.compile(r"(?i)(bearer\s+)[^\s\"',]+"), r"\1***"),
    (re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)(bearer\s+)?[^\s\"',}]+"), r"\1***"),
    # Signed query strings: keep the URL, drop everything after '?'.
    (re.compile(r"(https?://[^\s\"'?#]+)\?[^\s\"'#]*"), r"\1"),
    # Upload tokens.
    (re.compile(r"runway://[^\s\"']+"), "runway://***"),
    # Local agent tokens.
    (re.compile(r"(?i)(x-shotloop-token[\"']?\s*[:=]\s*[\"']?)[^\s\"',}]+"), r"\1***"),
)


def redact(text: str) -> str:
    """Remove keys, bearer tokens, signed query strings and upload URIs from ``text``."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class ShotLoopError(Exception):
    """Base of every error ShotLoop raises on purpose.

    ``code`` is a stable machine-readable name (used in the agent API and the ledger);
    ``retryable`` says whether trying the same thing again later may succeed.
    """

    code = "shotloop"
    retryable = False

    def __init__(
        self,
        problem: str,
        *,
        shot: str | None = None,
        field: str | None = None,
        fix: str | None = None,
        detail: str | None = None,
    ) -> None:
        self.problem = redact(problem)
        self.shot = shot
        self.field = field
        self.fix = redact(fix) if fix else None
        self.detail = redact(detail) if detail else None
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The one line a person reads."""
        head = f"{self.shot}: " if self.shot else ""
        field = f"{self.field} " if self.field else ""
        text = f"{head}{field}{self.problem}"
        if self.fix:
            text = f"{text.rstrip('.')}. Fix: {self.fix}"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "shot": self.shot,
            "field": self.field,
            "problem": self.problem,
            "fix": self.fix,
            "retryable": self.retryable,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ShotLoopError":
        """Rebuild an error received from the agent, keeping its class where known."""
        wanted = data.get("code", "shotloop")
        klass: type[ShotLoopError] = cls
        for sub in _all_subclasses(ShotLoopError):
            if sub.code == wanted:
                klass = sub
                break
        err = klass.__new__(klass)
        ShotLoopError.__init__(
            err,
            data.get("problem") or data.get("message") or "failed",
            shot=data.get("shot"),
            field=data.get("field"),
            fix=data.get("fix"),
        )
        for extra in ("failure_code", "status", "retry_after"):
            if extra in data:
                setattr(err, extra, data[extra])
        if isinstance(data.get("retryable"), bool):  # some errors set it per instance
            err.retryable = data["retryable"]
        return err


def _all_subclasses(klass: type) -> list[type]:
    found = []
    for sub in klass.__subclasses__():
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found


class RecipeInvalid(ShotLoopError):
    """The recipe does not fit the model's limits; nothing was sent or charged."""

    code = "recipe_invalid"


class PlateInvalid(ShotLoopError):
    """The source plate is missing, partial or unreadable."""

    code = "plate_invalid"


class EditInvalid(ShotLoopError):
    """A cut (OTIO, EDL, XML) cannot be read or does not make sense."""

    code = "edit_invalid"


class SettingsInvalid(ShotLoopError):
    """A settings or profile file is wrong."""

    code = "settings_invalid"


class SecretMissing(ShotLoopError):
    """No API key could be found in the environment or the keychain."""

    code = "secret_missing"


class ProviderError(ShotLoopError):
    """The generation service answered with an error."""

    code = "provider_error"

    def __init__(self, problem: str, *, status: int | None = None, **kwargs: Any) -> None:
        self.status = status
        super().__init__(problem, **kwargs)


class ProviderAuthFailed(ProviderError):
    code = "provider_auth"


class ProviderRejected(ProviderError):
    """400/422: the service refused the request as invalid. No task exists."""

    code = "provider_rejected"


class ProviderRateLimited(ProviderError):
    """429: try again after ``retry_after`` seconds. No task exists."""

    code = "provider_rate_limited"
    retryable = True

    def __init__(self, problem: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(problem, **kwargs)


class ProviderUnavailable(ProviderError):
    """5xx or a connection problem on a call that is safe to repeat."""

    code = "provider_unavailable"
    retryable = True
    retry_after: float | None = None

    def __init__(self, problem: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(problem, **kwargs)


class CreateOutcomeUnknown(ProviderError):
    """A create call may or may not have made a task (timeout, reset, 5xx after sending).

    It is never repeated automatically: repeating could bill twice. The user decides.
    """

    code = "create_outcome_unknown"


class TaskFailed(ProviderError):
    """The remote task ended FAILED; ``failure_code`` is the service's code."""

    code = "task_failed"

    def __init__(self, problem: str, *, failure_code: str | None = None,
                 retryable: bool = False, **kwargs: Any) -> None:
        # INTERNAL / THIRD_PARTY failures may work on a new attempt; moderation never does.
        self.failure_code = failure_code
        self.retryable = retryable
        super().__init__(problem, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        return {**super().to_dict(), "failure_code": self.failure_code}


class TaskLost(ProviderError):
    """The service no longer knows a task we did not delete (404)."""

    code = "task_lost"


class DownloadFailed(ProviderError):
    """An output could not be downloaded completely and verified."""

    code = "download_failed"
    retryable = True

    def __init__(self, problem: str, *, retryable: bool = True, **kwargs: Any) -> None:
        # Expired or truncated outputs are retryable (poll again for fresh URLs); a
        # wrong type or an oversized file is not.
        self.retryable = retryable
        super().__init__(problem, **kwargs)


class IngestFailed(ShotLoopError):
    """A returned clip could not be decoded or conformed to the shot."""

    code = "ingest_failed"


class PublishFailed(ShotLoopError):
    """A version could not be written to the version store; nothing was published."""

    code = "publish_failed"


class JobNotFound(ShotLoopError):
    code = "job_not_found"


class JobCancelled(ShotLoopError):
    code = "job_cancelled"


class AgentUnavailable(ShotLoopError):
    """The local agent could not be reached or started."""

    code = "agent_unavailable"
    retryable = True


class AgentRefused(ShotLoopError):
    """The agent refused a request (bad token, bad input)."""

    code = "agent_refused"


class NameInvalid(ShotLoopError, ValueError):
    """A shot or label name cannot become a folder name safely (also a ValueError)."""

    code = "name_invalid"


class VersionNotFound(ShotLoopError):
    """The version store has no published version with that shot, label and number."""

    code = "version_not_found"


class IllegalTransition(ShotLoopError):
    """A job was asked to move to a state its current state may not lead to."""

    code = "illegal_transition"


class LedgerError(ShotLoopError):
    """The job ledger cannot be opened or written, or a write would break its rules."""

    code = "ledger_error"
