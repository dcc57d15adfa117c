"""What one clip says about itself, whichever format the cut came from.

Names, ShotLoop ids, reels, media paths, plate frame numbers, plate size and colour space,
and marker notes each live in a different carrier per adapter (``metadata["shotloop"]``,
``cmx_3600``, ``fcp_xml``); these helpers read them all in one order.
"""
from __future__ import annotations

import logging
import os
import re
from typing import Iterator

import opentimelineio as otio

from ..model import Resolution
from . import urls
from .timebase import frame_of

__all__ = [
    "video_clips",
    "shotloop_id",
    "shot_name",
    "clip_reel",
    "media_path",
    "media_exists",
    "plate_first_frame",
    "plate_resolution",
    "shotloop_value",
    "marker_note",
]

log = logging.getLogger(__name__)


def video_clips(timeline: otio.schema.Timeline) -> Iterator[tuple[int, otio.schema.Track, int, otio.schema.Clip]]:
    """(track index, track, item index, clip) for every clip on a video track."""
    for t_index, track in enumerate(timeline.video_tracks()):
        for i_index, item in enumerate(track):
            if isinstance(item, otio.schema.Clip):
                yield t_index, track, i_index, item
            elif isinstance(item, otio.schema.Stack):
                log.warning("%s: nested sequence %r skipped (flatten it in editorial)",
                            timeline.name, item.name)


def shotloop_id(clip: otio.schema.Clip) -> str:
    data = clip.metadata.get("shotloop", {})
    return str(data.get("id") or data.get("shot_id") or "") if hasattr(data, "get") else ""


def shot_name(clip: otio.schema.Clip, pattern: re.Pattern[str] | None = None,
              fallback: str = "") -> str:
    """The shot a clip stands for: ``metadata["shotloop"]["shot"]``, else ``pattern``
    applied to the clip name (group ``shot``, else group 1, else the match), else the clip
    name, else the media file's stem, else ``fallback``."""
    data = clip.metadata.get("shotloop", {})
    if hasattr(data, "get") and data.get("shot"):
        return str(data["shot"])
    name = clip.name or ""
    if pattern is not None and name:
        found = pattern.search(name)
        if found:
            groups = found.groupdict()
            return groups.get("shot") or (found.group(1) if found.groups() else found.group(0))
    if name:
        return name
    media = media_path(clip, None)
    if media:
        stem = os.path.basename(media).split(".")[0]
        if stem:
            return stem
    return fallback


def clip_reel(clip: otio.schema.Clip) -> str:
    """Reel / tape name from whichever carrier the cut's format uses."""
    cmx = clip.metadata.get("cmx_3600", {})
    if hasattr(cmx, "get") and cmx.get("reel"):
        return str(cmx["reel"])
    ref = clip.media_reference
    fcp = ref.metadata.get("fcp_xml", {}) if ref is not None else {}
    try:
        reel = fcp["timecode"]["reel"]["name"]
        if reel:
            return str(reel)
    except (KeyError, TypeError):
        pass
    data = clip.metadata.get("shotloop", {})
    return str(data.get("reel", "")) if hasattr(data, "get") else ""


def media_path(clip: otio.schema.Clip, root: os.PathLike | str | None) -> str:
    """The active media as a local path (``####`` pattern for image sequences), a
    remote URL kept as it is, or ``""`` when the clip has no media."""
    ref = clip.media_reference
    if isinstance(ref, otio.schema.ImageSequenceReference):
        url = ref.abstract_target_url("#" * max(ref.frame_zero_padding, 1))
    elif isinstance(ref, otio.schema.ExternalReference):
        url = ref.target_url or ""
    else:
        return ""
    path = urls.local_path(url, root)
    return path if path is not None else url


def plate_first_frame(clip: otio.schema.Clip, rate: float) -> int:
    """The plate frame number shown at the clip's first source frame."""
    source = clip.trimmed_range()
    ref = clip.media_reference
    if isinstance(ref, otio.schema.ImageSequenceReference) and ref.available_range is not None:
        offset = frame_of(source.start_time - ref.available_range.start_time.rescaled_to(
            source.start_time.rate), rate)
        return ref.start_frame + offset * max(ref.frame_step, 1)
    return frame_of(source.start_time, rate)


def marker_note(marker: otio.schema.Marker) -> str:
    """The marker's note: its comment, else ShotLoop's or FCP XML's metadata comment."""
    if marker.comment:
        return str(marker.comment)
    for key, field in (("shotloop", "note"), ("fcp_xml", "comment")):
        data = marker.metadata.get(key, {})
        if hasattr(data, "get") and data.get(field):
            return str(data[field])
    return ""


def shotloop_value(clip: otio.schema.Clip, key: str) -> object:
    """``metadata["shotloop"][key]`` of the clip, else of its active media reference."""
    owners = [clip.metadata]
    if clip.media_reference is not None:
        owners.append(clip.media_reference.metadata)
    for metadata in owners:
        data = metadata.get("shotloop", {})
        if hasattr(data, "get") and data.get(key) not in (None, ""):
            return data[key]
    return None


def plate_resolution(clip: otio.schema.Clip, default: Resolution) -> tuple[Resolution, bool]:
    """Plate size from ``shotloop.resolution`` ("1920x1080" or [1920, 1080])."""
    value = shotloop_value(clip, "resolution")
    if isinstance(value, str):
        found = re.fullmatch(r"\s*(\d+)\s*[xX:]\s*(\d+)\s*", value)
        value = [found.group(1), found.group(2)] if found else None
    try:
        width, height = (int(v) for v in value)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return default, False
    if width > 0 and height > 0:
        return Resolution(width, height), True
    return default, False


def media_exists(path: str) -> bool:
    if not path or urls.is_url(path):
        return False
    if "#" in path:
        folder = os.path.dirname(path) or "."
        head, _, rest = os.path.basename(path).partition("#")
        tail = rest.lstrip("#")
        try:
            return any(n.startswith(head) and n.endswith(tail) for n in os.listdir(folder))
        except OSError:
            return False
    return os.path.exists(path)
