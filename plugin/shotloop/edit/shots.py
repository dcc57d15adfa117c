"""Turn the video clips of a cut into Shots with their EditContext.

For each clip on a video track (gaps, transitions and audio tracks are skipped): the
shot name, edit (record) range and source range in frames and timecode at the timeline's
rate, handles clamped to the media's available range, neighbouring shots, markers with
their notes, reel, and the media path resolved against the cut's folder.

Conventions: ``edit_range`` is in record frames (the timeline's start timecode
included, so ``edit_timecode`` is its first frame); ``source_range`` is in the clip's
media time at the timeline's rate (for EDLs that is source timecode frames); handles
include what a neighbouring dissolve needs (``transition_frames``). ``Shot.frame_range``
is what to read from the plate: file frame numbers for image sequences, the source range
otherwise.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Callable, Sequence

import opentimelineio as otio
from opentimelineio.opentime import RationalTime, TimeRange

from ..errors import EditInvalid
from ..model import EditContext, FrameRange, Marker, Neighbour, Resolution, Shot
from .clipinfo import (clip_reel, marker_note, media_exists, media_path, plate_first_frame,
                       plate_resolution, shot_name, shotloop_id, shotloop_value, video_clips)
from .read import Cut
from .snippet import otio_snippet
from .timebase import frame_of, frame_range_of, timecode_of

__all__ = [
    "CutShot",
    "DEFAULT_HANDLES",
    "shots_from_cut",
    "shot_name",
    "shotloop_id",
    "clip_reel",
    "media_path",
    "plate_first_frame",
    "video_clips",
    "clip_of",
    "by_name",
]

log = logging.getLogger(__name__)

DEFAULT_HANDLES = 8


@dataclass(frozen=True)
class CutShot:
    """One clip of the cut as ShotLoop sees it.

    ``track_index``/``item_index`` address the clip in ``cut.timeline.video_tracks()``;
    ``notes`` are things a person should know (handles clamped, media missing).
    """

    shot: Shot
    edit: EditContext
    track_index: int
    item_index: int
    shotloop_id: str = ""
    media_exists: bool = False
    resolution_known: bool = False
    notes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.shot.name


def shots_from_cut(
    cut: Cut,
    *,
    handles: int | tuple[int, int] = DEFAULT_HANDLES,
    neighbours: int = 1,
    shot_pattern: str | re.Pattern[str] | None = None,
    resolution: Resolution = Resolution(1920, 1080),
    snippets: bool = True,
    name_of: Callable[[otio.schema.Clip], str] | None = None,
) -> list[CutShot]:
    """Every video clip of ``cut`` as a ``CutShot``, in track then time order.

    ``resolution`` is used when neither the clip's metadata (``shotloop.resolution``,
    "1920x1080") nor its media say the plate size; ``CutShot.resolution_known`` tells.
    """
    head, tail = (handles, handles) if isinstance(handles, int) else handles
    if head < 0 or tail < 0:
        raise EditInvalid(f"handles {head}/{tail} are negative", field="handles",
                          fix="use 0 or more frames")
    pattern = re.compile(shot_pattern) if isinstance(shot_pattern, str) else shot_pattern

    def naming(clip: otio.schema.Clip, fallback: str) -> str:
        return name_of(clip) if name_of is not None else shot_name(clip, pattern, fallback)

    shots: list[CutShot] = []
    for t_index, track, i_index, clip in video_clips(cut.timeline):
        track_name = track.name or f"V{t_index + 1}"
        fallback = f"{track_name}_{i_index + 1:03d}"
        try:
            trimmed = clip.trimmed_range()
        except otio.exceptions.OTIOError:
            log.warning("%s: clip %r has no range and no media range; skipped", cut.name, clip.name)
            continue
        if frame_of(trimmed.duration, cut.rate) < 1:
            continue
        name = naming(clip, fallback)
        try:
            shots.append(_cut_shot(cut, t_index, track, track_name, i_index, clip, trimmed,
                                   (head, tail), neighbours, resolution, snippets, name, naming))
        except (otio.exceptions.OTIOError, NotImplementedError, ValueError) as exc:
            raise EditInvalid(f"{cut.path.name}: clip {clip.name!r} on {track_name} cannot be "
                              f"placed in the cut: {exc}", shot=name, field="clip",
                              fix="check the clip's ranges in the editing tool and export again") from exc
    return shots


# --------------------------------------------------------------------------- internals


def _record_range(cut: Cut, clip: otio.schema.Item) -> TimeRange:
    stack_range = clip.transformed_time_range(clip.trimmed_range(), cut.timeline.tracks)
    start = stack_range.start_time + cut.record_start.rescaled_to(stack_range.start_time.rate)
    return TimeRange(start, stack_range.duration)


def _record_frame(cut: Cut, item: otio.schema.Item, time: RationalTime) -> int:
    stack_time = item.transformed_time(time, cut.timeline.tracks)
    return frame_of(stack_time, cut.rate) + frame_of(cut.record_start, cut.rate)


def _handles(cut: Cut, track: otio.schema.Track, clip: otio.schema.Clip, trimmed: TimeRange,
             wanted: tuple[int, int]) -> tuple[tuple[int, int], tuple[int, int], bool, list[str]]:
    """(granted, transition frames, clamped, notes)."""
    before, after = track.handles_of_child(clip)
    trans = (frame_of(before, cut.rate) if before is not None else 0,
             frame_of(after, cut.rate) if after is not None else 0)
    want = (wanted[0] + trans[0], wanted[1] + trans[1])
    avail = None
    if cut.adapter != "cmx_3600":  # EDL "available" ranges only mirror the used range
        try:
            avail = clip.available_range()
        except otio.exceptions.OTIOError:
            avail = None
    if avail is None:
        return want, trans, False, []
    room_head = frame_of(trimmed.start_time - avail.start_time.rescaled_to(trimmed.start_time.rate),
                         cut.rate)
    room_tail = frame_of(avail.end_time_exclusive().rescaled_to(trimmed.start_time.rate)
                         - trimmed.end_time_exclusive(), cut.rate)
    granted = (max(0, min(want[0], room_head)), max(0, min(want[1], room_tail)))
    notes = []
    for side, got, asked in (("head", granted[0], want[0]), ("tail", granted[1], want[1])):
        if got < asked:
            notes.append(f"{side} handle clamped to {got} of {asked} frames by the media's range")
    return granted, trans, granted != want, notes


def _neighbours(cut: Cut, track: otio.schema.Track, index: int, count: int,
                naming: Callable[[otio.schema.Clip, str], str]) -> tuple[list[Neighbour], int, int]:
    """Up to ``count`` clips each side (gaps/transitions skipped) and the index span."""
    found: list[Neighbour] = []
    first = last = index
    items = list(track)
    for side, order in (("before", range(index - 1, -1, -1)), ("after", range(index + 1, len(items)))):
        taken = 0
        for j in order:
            item = items[j]
            if taken >= count:
                break
            if not isinstance(item, otio.schema.Clip):
                continue
            try:
                rng = frame_range_of(_record_range(cut, item), cut.rate)
            except otio.exceptions.OTIOError:
                continue
            found.append(Neighbour(naming(item, f"{track.name}_{j + 1:03d}"), rng,
                                   media_path(item, cut.media_root), side))
            taken += 1
            first, last = min(first, j), max(last, j)
    found.sort(key=lambda n: n.edit_range.first)
    return found, first, last


def _markers(cut: Cut, track: otio.schema.Track, clip: otio.schema.Clip,
             edit_range: FrameRange) -> list[Marker]:
    found: list[Marker] = []
    owners: list[otio.schema.Item] = [clip, track, cut.timeline.tracks]
    for owner in owners:
        for marker in owner.markers:
            start = marker.marked_range.start_time
            if owner is clip:
                frame = _record_frame(cut, clip, start)
            elif owner is track:
                frame = _record_frame(cut, track, start)
            else:
                frame = frame_of(start, cut.rate) + frame_of(cut.record_start, cut.rate)
            if owner is not clip and not edit_range.first <= frame <= edit_range.last:
                continue
            found.append(Marker(marker.name, frame, marker_note(marker), str(marker.color or "")))
    found.sort(key=lambda m: m.frame)
    return found


def _cut_shot(cut: Cut, t_index: int, track: otio.schema.Track, track_name: str, i_index: int,
              clip: otio.schema.Clip, trimmed: TimeRange, wanted: tuple[int, int],
              neighbour_count: int, default_resolution: Resolution, snippets: bool, name: str,
              naming: Callable[[otio.schema.Clip, str], str]) -> CutShot:
    rate = cut.rate
    edit_range = frame_range_of(_record_range(cut, clip), rate)
    source_range = frame_range_of(trimmed, rate)
    granted, trans, clamped, notes = _handles(cut, track, clip, trimmed, wanted)
    neighbours, first, last = _neighbours(cut, track, i_index, neighbour_count, naming)
    media = media_path(clip, cut.media_root)
    exists = media_exists(media)
    if not media:
        notes.append("no media in the cut (missing reference)")
    elif not exists:
        notes.append(f"media not found: {media}")
    for note in notes:
        log.info("%s: %s", name, note)
    resolution, known = plate_resolution(clip, default_resolution)
    plate_first = plate_first_frame(clip, rate)
    snippet = otio_snippet(cut.timeline, track, i_index, first, last, cut.record_start,
                           cut.media_root) if snippets else ""
    ident = shotloop_id(clip)
    edit = EditContext(
        timeline=cut.name,
        track=track_name,
        clip=clip.name,
        rate=rate,
        edit_range=edit_range,
        source_range=source_range,
        handles=granted,
        handles_clamped=clamped,
        edit_timecode=timecode_of(edit_range.first, rate, cut.drop_frame),
        source_timecode=timecode_of(source_range.first, rate, cut.drop_frame),
        reel=clip_reel(clip),
        media=media,
        neighbours=tuple(neighbours),
        markers=tuple(_markers(cut, track, clip, edit_range)),
        otio_snippet=snippet,
        handles_requested=(wanted[0] + trans[0], wanted[1] + trans[1]),
        transition_frames=trans,
    )
    colorspace = shotloop_value(clip, "colorspace")
    shot = Shot(
        name=name,
        source=media,
        frame_range=FrameRange(plate_first, plate_first + source_range.count - 1),
        fps=rate,
        resolution=resolution,
        colorspace=str(colorspace) if colorspace else "ACEScg",
        shot_id=ident,
    )
    return CutShot(shot, edit, t_index, i_index, ident, exists, known, tuple(notes))


def clip_of(cut: Cut, cut_shot: CutShot) -> otio.schema.Clip:
    """The clip a CutShot came from."""
    track = list(cut.timeline.video_tracks())[cut_shot.track_index]
    return track[cut_shot.item_index]


def by_name(shots: Sequence[CutShot]) -> dict[str, list[CutShot]]:
    out: dict[str, list[CutShot]] = {}
    for s in shots:
        out.setdefault(s.name, []).append(s)
    return out
