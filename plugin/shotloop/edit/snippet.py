"""The OTIO snippet sent with a shot: its clip and its neighbours, as OTIO JSON.

Services that understand OTIO (the reference service, studio services, ComfyUI later)
receive it so they can see the cut around the shot; for Runway it is recorded in
provenance. Clips are copies; relative media paths are made absolute file URLs so the
snippet still means something away from the cut's folder.
"""
from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from . import urls

__all__ = ["otio_snippet", "absolute_media"]


def otio_snippet(
    timeline: otio.schema.Timeline,
    track: otio.schema.Track,
    index: int,
    first: int,
    last: int,
    record_start: otio.opentime.RationalTime,
    media_root: Path,
) -> str:
    """Items ``first..last`` of ``track`` (the shot is item ``index``) as a timeline.

    The snippet's ``global_start_time`` is the record time of its first item, so record
    timecodes inside it equal those in the cut.
    """
    items = list(track)[first:last + 1]
    start = track.range_of_child_at_index(first).start_time
    if track.source_range is not None:
        start = start - track.source_range.start_time
    snippet = otio.schema.Timeline(
        name=f"{timeline.name}/{track[index].name}",
        global_start_time=(start + record_start.rescaled_to(start.rate)),
        metadata={"shotloop": {"kind": "snippet", "timeline": timeline.name,
                               "track": track.name, "shot_index": index - first}},
    )
    copy = otio.schema.Track(name=track.name, kind=track.kind)
    snippet.tracks.append(copy)
    for offset, item in enumerate(items):
        clone = item.clone()
        if isinstance(clone, otio.schema.Clip):
            role = "shot" if first + offset == index else (
                "before" if first + offset < index else "after")
            shotloop = dict(clone.metadata.get("shotloop", {}))
            shotloop["role"] = role
            clone.metadata["shotloop"] = shotloop
            absolute_media(clone, media_root)
        copy.append(clone)
    return otio.adapters.write_to_string(snippet, "otio_json", indent=-1)


def absolute_media(clip: otio.schema.Clip, media_root: Path) -> None:
    """Make every relative media path of ``clip`` an absolute file URL, in place."""
    refs = clip.media_references()
    for ref in refs.values():
        if isinstance(ref, otio.schema.ImageSequenceReference):
            path = urls.local_path(ref.target_url_base, media_root)
            if path is not None and not urls.is_url(ref.target_url_base):
                ref.target_url_base = urls.join_url_dir(urls.path_to_url(path))
        elif isinstance(ref, otio.schema.ExternalReference) and ref.target_url:
            if not urls.is_url(ref.target_url):
                path = urls.url_to_path(ref.target_url, media_root)
                ref.target_url = urls.path_to_url(path)
