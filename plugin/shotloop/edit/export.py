"""Write a review (or takes-layout) timeline for editorial: .otio, .otioz, .edl, .xml.

- .otio: everything (all takes, metadata) through the otio_json adapter.
- .otioz: a self-contained bundle packed by ShotLoop (``bundle.py``).
- .edl: one video track, the active take per clip; ShotLoop's data in ``* SHOTLOOP``
  comment lines; record start kept; an ``FCM`` line added (the writer has none).
- .xml (FCP 7): the active take per clip, a movie where the active take is an EXR
  sequence (the FCP 7 writer cannot write image sequences); data in a master comment.

Every writer works on a copy (the EDL writer edits the timeline it is given) and writes
through a temporary file renamed into place.
"""
from __future__ import annotations

import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio
from opentimelineio.opentime import RationalTime, TimeRange

from ..errors import EditInvalid
from . import carriers
from .carriers import MOVIE_SUFFIX
from .bundle import write_bundle
from .timebase import is_drop_frame_rate

__all__ = ["ExportReport", "FORMATS", "write_timeline", "edl_text", "fcp_xml_text"]

log = logging.getLogger(__name__)

FORMATS = (".otio", ".otioz", ".edl", ".xml")


@dataclass(frozen=True)
class ExportReport:
    path: Path
    format: str
    clips: int
    media_files: int = 0
    missing: tuple[str, ...] = ()


def write_timeline(timeline: otio.schema.Timeline, path: str | Path, *,
                 media_root: str | Path | None = None, include_frames: bool = True,
                 overwrite: bool = False, otio_version: str | None = None) -> ExportReport:
    """Write ``timeline`` in the format named by ``path``'s suffix (see module doc).

    ``otio_version`` (.otio only, e.g. ``"0.14.0"``) writes the schema versions an older
    OpenTimelineIO reads; before 0.15 a clip holds one reference, so only the active take
    travels (its ShotLoop metadata, takes list included, still does).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise EditInvalid(f"{path.name}: cannot write {suffix or 'files without a suffix'}",
                          field="output", fix=f"use one of {', '.join(FORMATS)}")
    if path.exists() and not overwrite:
        raise EditInvalid(f"{path} exists", field="output",
                          fix="choose another name or pass --overwrite")
    clips = len(timeline.find_clips())
    if suffix == ".otioz":
        report = write_bundle(timeline, path, media_root=media_root, include_frames=include_frames,
                              overwrite=overwrite)
        return ExportReport(path, "otioz", clips, report.files, report.missing)
    if suffix == ".otio":
        text = otio.adapters.write_to_string(timeline, "otio_json",
                                             target_schema_versions=_schema_map(otio_version))
    elif suffix == ".edl":
        text = edl_text(timeline)
    else:
        text = fcp_xml_text(timeline)
    _write_atomically(path, text)
    return ExportReport(path, suffix.lstrip("."), clips)


def edl_text(timeline: otio.schema.Timeline) -> str:
    """A CMX 3600 EDL of the review track with the active takes (see module doc)."""
    track = _review_track(timeline)
    flat = otio.schema.Timeline(name=timeline.name)
    copy = track.deepcopy()
    copy.enabled = True
    flat.tracks.append(copy)
    rate = copy.duration().rate if copy.duration().rate else 24.0
    for clip in copy.find_clips():
        data, _carrier = carriers.shotloop_data(clip)
        cmx = dict(carriers.plain(clip.metadata.get("cmx_3600", {})))
        comments = carriers.without_shotloop_comments(cmx.get("comments"))
        if data is not None:
            active = str(data.get("active", "")).removesuffix(MOVIE_SUFFIX)
            cmx["reel"] = "".join(ch for ch in (active or clip.name) if ch.isalnum() or ch == "_")
            comments += carriers.edl_comments(data)
        if comments:
            cmx["comments"] = comments
        if cmx:
            clip.metadata["cmx_3600"] = cmx
    start = timeline.global_start_time
    if start is not None:
        copy.source_range = TimeRange(RationalTime(-start.value_rescaled_to(rate), rate),
                                      copy.available_range().duration)
    try:
        text = otio.adapters.write_to_string(flat, "cmx_3600", rate=rate)
    except Exception as exc:  # adapter errors vary; say what cannot be written
        raise EditInvalid(f"{timeline.name}: cannot be written as an EDL: {exc}", field="output",
                          fix="export .otio instead, or simplify the track (one video track, cuts and dissolves)") from exc
    fcm = "FCM: DROP FRAME" if is_drop_frame_rate(float(rate)) else "FCM: NON-DROP FRAME"
    lines = text.splitlines()
    at = 1 if lines and lines[0].startswith("TITLE") else 0
    lines[at:at] = [fcm]
    return "\n".join(lines) + "\n"


def fcp_xml_text(timeline: otio.schema.Timeline) -> str:
    """An FCP 7 XML of the timeline's video tracks with the active takes."""
    flat = timeline.deepcopy()
    for track in list(flat.tracks):
        if track.kind != otio.schema.TrackKind.Video:
            flat.tracks.remove(track)
    for clip in flat.find_clips():
        _fcp_safe_reference(clip)
        data, _carrier = carriers.shotloop_data(clip)
        if data is not None:
            fcp = dict(carriers.plain(clip.metadata.get("fcp_xml", {})))
            comments = dict(fcp.get("comments", {}) or {})
            comments["mastercomment1"] = carriers.fcp_comment(data)
            fcp["comments"] = comments
            clip.metadata["fcp_xml"] = fcp
    try:
        return otio.adapters.write_to_string(flat, "fcp_xml")
    except Exception as exc:  # adapter errors vary; say what cannot be written
        raise EditInvalid(f"{timeline.name}: cannot be written as FCP 7 XML: {exc}", field="output",
                          fix="export .otio instead") from exc


# --------------------------------------------------------------------------- internals


def _schema_map(label: str | None) -> dict[str, int]:
    if not label:
        return {}
    try:
        return dict(otio.versioning.fetch_map("OTIO_CORE", label))
    except (KeyError, ValueError) as exc:
        families = otio.versioning.full_map()  # bound first: the sub-map does not keep it alive
        known = sorted(families["OTIO_CORE"])
        raise EditInvalid(f"OpenTimelineIO {label} is not a known schema family label",
                          field="otio_version", fix=f"use one of {known}") from exc


def _review_track(timeline: otio.schema.Timeline) -> otio.schema.Track:
    video = list(timeline.video_tracks())
    if not video:
        raise EditInvalid(f"{timeline.name}: has no video track", field="timeline",
                          fix="export a timeline with at least one video track")
    for track in video:
        if any(carriers.shotloop_data(c)[0] is not None for c in track.find_clips()):
            return track
    return video[0]


def _fcp_safe_reference(clip: otio.schema.Clip) -> None:
    """Make the active reference one the FCP 7 writer can write (a file with a range)."""
    refs = clip.media_references()
    key = clip.active_media_reference_key
    ref = refs[key]
    if isinstance(ref, otio.schema.ImageSequenceReference):
        movie_key = key + MOVIE_SUFFIX
        if movie_key in refs:
            clip.active_media_reference_key = movie_key
            ref = refs[movie_key]
        else:
            first = ref.target_url_for_image_number(0) if ref.number_of_images_in_sequence() \
                else ref.abstract_target_url("#" * max(ref.frame_zero_padding, 1))
            ref = otio.schema.ExternalReference(target_url=first, available_range=ref.available_range,
                                                metadata=ref.metadata)
            clip.media_reference = ref
    if isinstance(ref, otio.schema.ExternalReference) and ref.available_range is None:
        ref.available_range = clip.trimmed_range()
    # Keep only the active reference: the writer sees nothing else anyway.
    active = clip.active_media_reference_key
    clip.set_media_references({active: clip.media_references()[active]}, active)


def _write_atomically(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
