"""The normalized provider interface every generation service implements.

A provider speaks ShotLoop's terms, not the service's: states are ``queued`` (which
includes Runway's THROTTLED), ``running``, ``succeeded``, ``failed``, ``cancelled`` and
``lost``; failures carry a code, a human explanation and whether a new attempt may help.
Callers check ``capabilities`` instead of probing for methods.

Nothing here does I/O. Concrete providers live one per module beside this one and are
found through the ``shotloop.providers`` entry point (see ``registry.load_provider``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping, Protocol, runtime_checkable

from ..model import Recipe

__all__ = [
    "STATES",
    "TERMINAL_STATES",
    "Capabilities",
    "ModelLimits",
    "Submission",
    "TaskStatus",
    "Download",
    "Account",
    "Provider",
]

# Normalized task states, in the order a task usually moves through them.
STATES = ("queued", "running", "succeeded", "failed", "cancelled", "lost")
TERMINAL_STATES = frozenset({"succeeded", "failed", "cancelled", "lost"})


@dataclass(frozen=True)
class Capabilities:
    """What a provider can do. ``idempotent_submit``: a repeated submit cannot bill twice."""

    cancel: bool
    video_to_video: bool
    text_to_video: bool
    uploads: bool
    idempotent_submit: bool


@dataclass(frozen=True)
class ModelLimits:
    """What one model accepts on one endpoint, in provider terms.

    ``required``/``fields`` are request-body keys besides ``model``; ``durations`` whole
    seconds (empty: the output length follows the input); ``positions`` the keyframe
    positions an image may take; ``prompt_max`` the prompt cap in UTF-16 code units.
    """

    endpoint: str
    model: str
    ratios: tuple[str, ...]
    durations: tuple[int, ...]
    positions: tuple[str, ...]
    prompt_max: int
    required: frozenset[str]
    fields: frozenset[str]
    credits_per_s: float


@dataclass(frozen=True)
class Submission:
    """A task the service accepted. ``body`` is the request exactly as sent."""

    task_id: str
    body: Mapping[str, object]
    estimated_credits: float


@dataclass(frozen=True)
class TaskStatus:
    """One poll's answer, normalized.

    ``remote_status`` keeps the service's own word (PENDING, THROTTLED, ...). ``outputs``
    are the fetchable URLs (signed; never log or store them with their query string).
    ``failure`` is a human explanation with a suggestion, never raw moderation text.
    ``retryable`` says whether a *new, explicit* attempt may succeed. ``credits`` is the
    final charge on terminal states when the service reports one.
    """

    state: str
    remote_status: str = ""
    progress: float = 0.0
    outputs: tuple[str, ...] = ()
    failure_code: str | None = None
    failure: str = ""
    retryable: bool = False
    credits: float | None = None

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES


@dataclass(frozen=True)
class Download:
    """A verified output on local disk. ``url`` has no query string (no signature)."""

    path: Path
    sha256: str
    size: int
    content_type: str
    url: str


@dataclass(frozen=True)
class Account:
    """Balance and per-model concurrency (None: no limit) as the service reports them."""

    credit_balance: float
    max_concurrent: Mapping[str, int | None] = field(default_factory=dict)


@runtime_checkable
class Provider(Protocol):
    """One generation service. Every method may raise a ``shotloop.errors`` error.

    ``inputs`` keys: ``"first"`` and ``"last"`` (keyframe image files) and ``"video"``
    (an H.264 proxy). ``submit`` never repeats a create on its own: an ambiguous outcome
    raises ``CreateOutcomeUnknown``.
    """

    name: str
    capabilities: Capabilities

    def limits(self, endpoint: str, model: str) -> ModelLimits: ...

    def validate(self, recipe: Recipe, inputs: Mapping[str, Path], *, shot: str) -> None: ...

    def estimate(self, recipe: Recipe) -> float: ...

    def build_request(self, recipe: Recipe, uris: Mapping[str, str]) -> dict: ...

    def upload(self, path: Path) -> str: ...

    def submit(self, recipe: Recipe, inputs: Mapping[str, Path], *, shot: str,
               before_send: Callable[[Mapping[str, Any]], None] | None = None) -> Submission:
        """Validate, send inputs, create the task once. ``before_send`` receives the exact
        body just before the create request (commit it to the ledger there)."""
        ...

    def create(self, recipe: Recipe, body: Mapping[str, Any], *, shot: str) -> Submission:
        """Send a ``build_request`` body once (``submit`` = validate + upload +
        build_request + create; callers that persist the body first use the parts)."""
        ...

    def poll(self, task_id: str) -> TaskStatus: ...

    def poll_interval(self, elapsed_s: float) -> float: ...

    def cancel(self, task_id: str) -> None: ...

    def fetch(self, url: str, dest: Path, *, max_bytes: int) -> Download: ...

    def account(self) -> Account: ...
