"""What a version records about how it was made (version.json), and recipe diffs.

``build_provenance`` assembles the record from its parts and scrubs it: no API key,
Authorization header, signed query string or ``runway://`` token survives, and inline
``data:`` media becomes ``data:<type>;sha256=<hex>`` so the record stays small and still
says exactly which image was sent.
"""
from __future__ import annotations

import enum
from typing import Any, Iterable, Mapping

from ..codec import to_data
from ..model import Job
from .scrub import scrub, strip_query

__all__ = ["PROVENANCE_SCHEMA", "MISSING", "build_provenance", "recipe_of", "recipe_diff"]

PROVENANCE_SCHEMA = "shotloop.provenance/1"
# The parts of a record that make up "the recipe": what replay sends again, what diff compares.
RECIPE_KEYS = ("provider", "endpoint", "model", "seed", "recipe", "request")


class _Missing(enum.Enum):
    """Stands for "no such field" in a diff (distinct from a field holding null)."""

    MISSING = "<missing>"

    def __repr__(self) -> str:
        return "<missing>"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return False


MISSING = _Missing.MISSING


def build_provenance(
    *,
    job: Job,
    version_number: int,
    request_body: Mapping[str, Any],
    endpoint_url: str,
    task_id: str,
    output_url: str,
    download_sha256: str,
    conform_steps: Iterable[Mapping[str, Any]],
    keyframe_steps: Iterable[Mapping[str, Any]],
    source_plate: Mapping[str, Any],
    times: Mapping[str, Any],
    credits: float | int | None,
    shotloop_version: str,
    conformed: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The version.json record for one published take (scrubbed, JSON-ready).

    ``source_plate``: path, frame range, colour space and content hash of the plate.
    ``conform_steps`` / ``keyframe_steps``: one mapping per step (fps, retime, colour
    from→to, exposure/clamp...). ``times``: named timestamps (submitted, finished...).
    ``conformed``: fps, resolution, colour space and frame range of the published frames;
    defaults to the shot's own, which is what ingest conforms to.
    """
    recipe = job.recipe
    seed = request_body.get("seed", recipe.seed) if isinstance(request_body, Mapping) else recipe.seed
    record = {
        "schema": PROVENANCE_SCHEMA,
        "job_id": job.job_id,
        "attempt": job.attempt,
        "batch": job.batch,
        "label": recipe.label,
        "version_number": int(version_number),
        "shot": to_data(job.shot),
        "source_plate": dict(source_plate),
        "edit": to_data(job.edit) if job.edit is not None else None,
        "provider": job.profile,
        "endpoint": recipe.endpoint.value,
        "endpoint_url": strip_query(endpoint_url),
        "model": recipe.model,
        "recipe": to_data(recipe),
        "request": dict(request_body),
        "seed": seed,
        "remote_task_id": task_id,
        "times": dict(times),
        "credits": {"estimated": job.estimated_credits, "charged": credits},
        "output": {"url": strip_query(output_url), "sha256": download_sha256},
        "keyframes": [dict(step) for step in keyframe_steps],
        "conform": [dict(step) for step in conform_steps],
        "conformed": dict(conformed) if conformed is not None else {
            "fps": job.shot.fps,
            "resolution": to_data(job.shot.resolution),
            "colorspace": job.shot.colorspace,
            "frame_range": to_data(job.shot.frame_range),
        },
        "shotloop_version": shotloop_version,
        "review": {"status": "pending", "note": "", "history": []},
    }
    return scrub(record)


def recipe_of(record: Mapping[str, Any]) -> dict[str, Any]:
    """The recipe part of a provenance record or version.json (anything else: itself)."""
    schema = str(record.get("schema", ""))
    is_record = schema.startswith(("shotloop.provenance", "shotloop.version_file")) or (
        "request" in record and "recipe" in record)
    if not is_record:
        return dict(record)
    return {key: record.get(key) for key in RECIPE_KEYS if key in record}


def _flatten(value: Any, prefix: str, out: dict[str, Any]) -> None:
    if isinstance(value, Mapping) and value:
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, (list, tuple)) and value:
        for index, item in enumerate(value):
            _flatten(item, f"{prefix}.{index}" if prefix else str(index), out)
    else:
        out[prefix] = value


def recipe_diff(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """Fields that differ between two recipes, as (dotted path, value in a, value in b).

    Given whole provenance records (or version.json), compares only their recipe part
    (provider, endpoint, model, seed, recipe, request body), so times and task ids do
    not drown the answer. A field present on one side only shows ``MISSING`` on the
    other. Paths follow a's order, then fields only b has.
    """
    flat_a: dict[str, Any] = {}
    flat_b: dict[str, Any] = {}
    _flatten(recipe_of(a), "", flat_a)
    _flatten(recipe_of(b), "", flat_b)
    paths = list(flat_a) + [p for p in flat_b if p not in flat_a]
    diff = []
    for path in paths:
        left, right = flat_a.get(path, MISSING), flat_b.get(path, MISSING)
        if left is MISSING or right is MISSING or not _same(left, right):
            diff.append((path, left, right))
    return diff


def _same(left: Any, right: Any) -> bool:
    """Equal as JSON values: 5 == 5.0, but True != 1 and "5" != 5."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    return bool(left == right)
