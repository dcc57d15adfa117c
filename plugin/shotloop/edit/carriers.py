"""ShotLoop's data in each format's own carrier, so it survives legacy round trips.

Only the active reference travels through EDL and FCP 7 XML, and neither keeps
``metadata["shotloop"]``. So the clip's ShotLoop data is also written:

- EDL: comment lines ``* SHOTLOOP {...}`` (the clip) and ``* SHOTLOOP TAKE {...}`` (one
  per take, short lines), which the CMX reader keeps in ``metadata["cmx_3600"]["comments"]``;
- FCP 7 XML: ``<comments><mastercomment1>SHOTLOOP {...}</mastercomment1></comments>`` on
  the clipitem, via ``metadata["fcp_xml"]``.

``shotloop_data(clip)`` reads whichever carrier a clip has, OTIO metadata first.
"""
from __future__ import annotations

import json
from typing import Any, Mapping

import opentimelineio as otio

__all__ = [
    "PLATE_KEY",
    "MOVIE_SUFFIX",
    "TAG",
    "TAKE_TAG",
    "plain",
    "edl_comments",
    "from_edl_comments",
    "fcp_comment",
    "from_fcp_metadata",
    "shotloop_data",
    "without_shotloop_comments",
]

TAG = "SHOTLOOP"
TAKE_TAG = "SHOTLOOP TAKE"
PLATE_KEY = "plate"  # the cut's own media among a review clip's references
MOVIE_SUFFIX = "_movie"  # <version name>_movie: the review movie of a take
_CLIP_KEYS = ("shot", "active", "label", "version", "seed", "model", "status", "notes", "reel",
              "markers")
_TAKE_KEYS = ("key", "label", "version", "seed", "model", "status", "note", "movie_key")


def plain(value: Any) -> Any:
    """OTIO AnyDictionary / AnyVector → dict / list, recursively (json.dumps needs it)."""
    if isinstance(value, (otio._otio.AnyDictionary, dict)):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (otio._otio.AnyVector, list, tuple)):
        return [plain(v) for v in value]
    return value


def _dumps(data: Mapping[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), sort_keys=True, ensure_ascii=True)


def edl_comments(data: Mapping[str, Any]) -> list[str]:
    """Comment lines (without the leading ``* ``) for a clip's ShotLoop data."""
    data = plain(data)
    lines = [f"{TAG} " + _dumps({k: data[k] for k in _CLIP_KEYS if k in data})]
    for take in data.get("takes", []):
        lines.append(f"{TAKE_TAG} " + _dumps({k: take[k] for k in _TAKE_KEYS if k in take}))
    return lines


def from_edl_comments(comments: Any) -> dict[str, Any] | None:
    """The data ``edl_comments`` wrote, back from the CMX reader's comment list."""
    clip: dict[str, Any] | None = None
    takes: list[dict[str, Any]] = []
    for line in comments or ():
        text = str(line).strip()
        try:
            if text.startswith(TAKE_TAG + " "):
                takes.append(json.loads(text[len(TAKE_TAG) + 1:]))
            elif text.startswith(TAG + " "):
                clip = json.loads(text[len(TAG) + 1:])
        except ValueError:
            continue
    if clip is None:
        return None
    clip["takes"] = [t for t in takes if isinstance(t, dict)]
    return clip


def without_shotloop_comments(comments: Any) -> list[str]:
    return [str(c) for c in comments or () if not str(c).strip().startswith(TAG + " ")]


def fcp_comment(data: Mapping[str, Any]) -> str:
    return f"{TAG} " + _dumps(plain(data))


def from_fcp_metadata(metadata: Any) -> dict[str, Any] | None:
    try:
        comments = metadata["fcp_xml"]["comments"]
    except (KeyError, TypeError):
        return None
    if not hasattr(comments, "values"):
        return None
    for value in comments.values():
        text = str(value).strip()
        if text.startswith(TAG + " "):
            try:
                found = json.loads(text[len(TAG) + 1:])
            except ValueError:
                continue
            if isinstance(found, dict):
                return found
    return None


def shotloop_data(clip: otio.schema.Clip) -> tuple[dict[str, Any] | None, str]:
    """(data, carrier) where carrier is ``"otio"``, ``"edl"``, ``"fcp_xml"`` or ``""``."""
    meta = clip.metadata.get("shotloop")
    if meta is not None and hasattr(meta, "get") and "takes" in meta:
        return plain(meta), "otio"
    cmx = clip.metadata.get("cmx_3600")
    if cmx is not None and hasattr(cmx, "get"):
        found = from_edl_comments(cmx.get("comments"))
        if found is not None:
            return found, "edl"
    found = from_fcp_metadata(clip.metadata)
    if found is not None:
        return found, "fcp_xml"
    return None, ""
