"""Frozen domain values: what a generation needs and what it produces.

These are the only types that cross between hosts, the agent, providers and the store.
They hold no host objects and round-trip through JSON (``to_json``/``from_json``) with a
schema tag, so a job sent from Nuke today can be read by an agent next year.
"""
from __future__ import annotations

import enum
import json
import math
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Mapping, TypeVar

from .codec import from_data, to_data

T = TypeVar("T")

SCHEMA_VERSION = 1


# --------------------------------------------------------------------------- basics


@dataclass(frozen=True)
class FrameRange:
    """An inclusive range of frame numbers, as artists count them (1001-1100)."""

    first: int
    last: int

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"frame range {self.first}-{self.last} ends before it starts")

    @property
    def count(self) -> int:
        return self.last - self.first + 1

    def frames(self) -> range:
        return range(self.first, self.last + 1)

    def grow(self, head: int, tail: int) -> "FrameRange":
        return FrameRange(self.first - head, self.last + tail)

    def __str__(self) -> str:
        return f"{self.first}-{self.last}"


@dataclass(frozen=True)
class Resolution:
    width: int
    height: int

    @property
    def aspect(self) -> float:
        return self.width / self.height

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"


def rate_fraction(fps: float) -> Fraction:
    """The exact rate behind a float fps (23.976 → 24000/1001)."""
    for base in (24, 30, 48, 60, 120):
        ntsc = Fraction(base * 1000, 1001)
        if math.isclose(fps, float(ntsc), abs_tol=5e-4):
            return ntsc
    return Fraction(fps).limit_denominator(1001)


# --------------------------------------------------------------------------- shots


@dataclass(frozen=True)
class Shot:
    """One plate to generate from.

    ``source`` is a path to a movie or an image sequence pattern using ``####`` or
    ``%04d`` for the frame number. ``colorspace`` is an OCIO colour space name.
    """

    name: str
    source: str
    frame_range: FrameRange
    fps: float
    resolution: Resolution
    colorspace: str = "ACEScg"
    shot_id: str = ""  # stable id imprinted by the host (node/strip) or taken from the cut
    ocio_config: str = ""  # the host's OCIO config (file or ocio:// URI); empty: the agent's

    @property
    def is_sequence(self) -> bool:
        return "#" in self.source or "%0" in self.source or "%d" in self.source


@dataclass(frozen=True)
class Neighbour:
    name: str
    edit_range: FrameRange
    media: str = ""
    side: str = "before"  # "before" | "after"


@dataclass(frozen=True)
class Marker:
    name: str
    frame: int  # timeline frame
    note: str = ""
    color: str = ""


@dataclass(frozen=True)
class EditContext:
    """Where a shot sits in the cut.

    ``edit_range`` is the record range on the timeline, ``source_range`` the frames used
    from the media, both in frames at ``rate``; handles extend the source range.
    """

    timeline: str
    track: str
    clip: str
    rate: float
    edit_range: FrameRange
    source_range: FrameRange
    handles: tuple[int, int] = (8, 8)
    handles_clamped: bool = False
    edit_timecode: str = ""
    source_timecode: str = ""
    reel: str = ""
    media: str = ""
    neighbours: tuple[Neighbour, ...] = ()
    markers: tuple[Marker, ...] = ()
    otio_snippet: str = ""  # the clip with its neighbours, as OTIO JSON
    # What was asked for (handles + the frames neighbouring dissolves need) before
    # clamping to the media; ``transition_frames`` is the dissolve part of it.
    handles_requested: tuple[int, int] = (8, 8)
    transition_frames: tuple[int, int] = (0, 0)

    @property
    def range_with_handles(self) -> FrameRange:
        return self.source_range.grow(*self.handles)


# --------------------------------------------------------------------------- recipes


class Endpoint(str, enum.Enum):
    IMAGE_TO_VIDEO = "image_to_video"
    VIDEO_TO_VIDEO = "video_to_video"
    TEXT_TO_VIDEO = "text_to_video"


class KeyframeMode(str, enum.Enum):
    NONE = "none"
    FIRST = "first"
    FIRST_LAST = "first_last"


# Recipe options ShotLoop itself reads (prepare and ingest passes); not sent to services.
SHOTLOOP_OPTIONS = frozenset({"retime", "fit", "exposure", "clamp", "continuity"})


@dataclass(frozen=True)
class Recipe:
    """What to ask the service for. ``duration`` is in whole seconds, ``ratio`` is the
    provider's ratio string ("1280:720"). ``label`` names the version stream."""

    model: str
    prompt: str = ""
    endpoint: Endpoint = Endpoint.IMAGE_TO_VIDEO
    keyframes: KeyframeMode = KeyframeMode.FIRST
    seed: int = 0
    ratio: str = "1280:720"
    duration: int = 5
    label: str = "gen"
    # Extra model fields for the provider (e.g. "outputFormat"), plus ShotLoop's own
    # settings listed in SHOTLOOP_OPTIONS, which never reach the provider.
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def provider_options(self) -> dict[str, Any]:
        """The options that go into the provider's request body."""
        return {k: v for k, v in self.options.items() if k not in SHOTLOOP_OPTIONS}


# --------------------------------------------------------------------------- jobs


class JobState(str, enum.Enum):
    QUEUED = "QUEUED"
    UPLOADING = "UPLOADING"
    SUBMITTED = "SUBMITTED"
    RUNNING = "RUNNING"
    DOWNLOADING = "DOWNLOADING"
    INGESTING = "INGESTING"
    PUBLISHED = "PUBLISHED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    SUBMIT_UNKNOWN = "SUBMIT_UNKNOWN"  # create may or may not have made a task

    @property
    def final(self) -> bool:
        return self in FINAL_STATES


FINAL_STATES = frozenset({JobState.PUBLISHED, JobState.FAILED, JobState.CANCELLED})

# Which state may follow which. SUBMIT_UNKNOWN waits for a person: resubmit (back to
# QUEUED) or give up (CANCELLED / FAILED).
TRANSITIONS: Mapping[JobState, frozenset[JobState]] = {
    JobState.QUEUED: frozenset({JobState.UPLOADING, JobState.FAILED, JobState.CANCELLED}),
    JobState.UPLOADING: frozenset(
        {JobState.SUBMITTED, JobState.SUBMIT_UNKNOWN, JobState.QUEUED, JobState.FAILED, JobState.CANCELLED}
    ),
    JobState.SUBMIT_UNKNOWN: frozenset({JobState.QUEUED, JobState.FAILED, JobState.CANCELLED}),
    JobState.SUBMITTED: frozenset(
        {JobState.RUNNING, JobState.DOWNLOADING, JobState.FAILED, JobState.CANCELLED}
    ),
    JobState.RUNNING: frozenset({JobState.DOWNLOADING, JobState.FAILED, JobState.CANCELLED}),
    JobState.DOWNLOADING: frozenset({JobState.INGESTING, JobState.FAILED, JobState.CANCELLED}),
    JobState.INGESTING: frozenset({JobState.PUBLISHED, JobState.FAILED, JobState.CANCELLED}),
    JobState.PUBLISHED: frozenset(),
    JobState.FAILED: frozenset({JobState.QUEUED}),  # an explicit retry by a person
    JobState.CANCELLED: frozenset(),
}


@dataclass(frozen=True)
class Job:
    """One shot sent with one recipe, as the ledger knows it."""

    job_id: str
    shot: Shot
    recipe: Recipe
    state: JobState = JobState.QUEUED
    edit: EditContext | None = None
    profile: str = "reference"
    store_root: str = ""
    remote_task_id: str = ""
    remote_status: str = ""  # PENDING / THROTTLED / RUNNING as the service says
    progress: float = 0.0
    error: Mapping[str, Any] | None = None  # ShotLoopError.to_dict() when FAILED
    estimated_credits: float = 0.0
    credits: float = 0.0
    version: int | None = None
    attempt: int = 1
    batch: str = ""
    created_at: float = 0.0
    updated_at: float = 0.0
    # What the stages learnt, kept for resume and provenance: request body as sent,
    # keyframe/proxy steps, download (url without query, sha256), create_started, ...
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return str(self.error.get("message", "")) if self.error else ""


@dataclass(frozen=True)
class JobRequest:
    """What a host or the CLI asks the agent to run: one shot with one recipe.

    ``store_root`` is where versions go (default: a ``shotloop/`` folder beside the script
    or .blend, decided by the host); ``profile`` names a provider profile (empty: the
    default, which is the reference service when no Runway key is configured).
    """

    shot: Shot
    recipe: Recipe
    edit: EditContext | None = None
    profile: str = ""
    store_root: str = ""
    batch: str = ""


# --------------------------------------------------------------------------- versions


class ReviewStatus(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Version:
    """A published, immutable take of a shot: ``<root>/<shot>/<label>/vNNN``."""

    shot: str
    label: str
    number: int
    path: str  # the version folder
    frames: str  # frame pattern with ####, e.g. .../sh010_gen_v003.####.exr
    frame_range: FrameRange
    fps: float
    resolution: Resolution
    colorspace: str = "ACEScg"
    movie: str = ""
    thumbnail: str = ""
    job_id: str = ""
    model: str = ""
    seed: int = 0
    review: ReviewStatus = ReviewStatus.PENDING
    note: str = ""
    created_at: float = 0.0

    @property
    def name(self) -> str:
        return f"{self.shot}_{self.label}_v{self.number:03d}"


# --------------------------------------------------------------------------- JSON


_SCHEMAS: Mapping[str, type] = {
    "shotloop.shot": Shot,
    "shotloop.edit_context": EditContext,
    "shotloop.recipe": Recipe,
    "shotloop.job": Job,
    "shotloop.job_request": JobRequest,
    "shotloop.version": Version,
}
_SCHEMA_OF: Mapping[type, str] = {v: k for k, v in _SCHEMAS.items()}


def to_dict(value: Any) -> dict[str, Any]:
    """A model value as a dict carrying its schema tag (``"shotloop.job/1"``)."""
    data = to_data(value)
    data["schema"] = f"{_SCHEMA_OF[type(value)]}/{SCHEMA_VERSION}"
    return data


def from_dict(kind: type[T], data: Mapping[str, Any]) -> T:
    """Rebuild a model value; refuses data tagged for another type or a newer schema."""
    schema = str(data.get("schema", f"{_SCHEMA_OF[kind]}/{SCHEMA_VERSION}"))
    name, _, version = schema.partition("/")
    if name != _SCHEMA_OF[kind]:
        raise ValueError(f"expected {_SCHEMA_OF[kind]}, got {name}")
    if not version.isdigit() or int(version) > SCHEMA_VERSION:
        raise ValueError(f"{schema} is newer than this ShotLoop understands ({SCHEMA_VERSION})")
    body = {k: v for k, v in data.items() if k != "schema"}
    return from_data(kind, body)


def to_json(value: Any) -> str:
    return json.dumps(to_dict(value), sort_keys=True)


def from_json(kind: type[T], text: str) -> T:
    return from_dict(kind, json.loads(text))


__all__ = [
    "FrameRange",
    "Resolution",
    "rate_fraction",
    "Shot",
    "Neighbour",
    "Marker",
    "EditContext",
    "Endpoint",
    "KeyframeMode",
    "Recipe",
    "SHOTLOOP_OPTIONS",
    "JobState",
    "FINAL_STATES",
    "TRANSITIONS",
    "Job",
    "JobRequest",
    "ReviewStatus",
    "Version",
    "to_dict",
    "from_dict",
    "to_json",
    "from_json",
    "replace",
]
