"""The VSE as an OTIO cut: edit contexts for the shots sent from it, and the review export.

Channels are tracks, movie/image strips clips (sound, effect and colour strips are gaps to
the cut), scene markers markers on the stack. ShotLoop's version strips are not clips of
the cut: on export they ride on their source clip as named media references through
``shotloop.edit.review`` (approved take, else the newest, active), plus the takes layout.
EditContexts come from ``shotloop.edit.shots`` run on this cut, so a shot sent from the
Sequencer gets exactly the rules of a cut sent from editorial (handles clamped to the
media, neighbours, markers, timecodes, OTIO snippet).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Iterable, Sequence

import bpy
import opentimelineio as otio
from opentimelineio.opentime import RationalTime, TimeRange

from shotloop.edit import review as edit_review
from shotloop.edit import urls
from shotloop.edit.export import write_timeline
from shotloop.edit.read import Cut
from shotloop.model import EditContext, FrameRange, Resolution, ReviewStatus, Version

from . import colour, compat, imprint, jobrequests
from .frames import split_numbered

log = logging.getLogger(__name__)

ADAPTER = "blender"


def _track_name(scene: Any, channel: int) -> str:
    editor = scene.sequence_editor
    try:
        return str(editor.channels[channel].name)
    except (AttributeError, IndexError):
        return f"Channel {channel}"


def _plate_reference(media: Any, rate: float) -> otio.core.MediaReference:
    available = TimeRange(RationalTime(media.available.first, rate), RationalTime(media.available.count, rate))
    if media.head or media.tail:
        return otio.schema.ImageSequenceReference(
            target_url_base=urls.join_url_dir(urls.path_to_url(str(Path(media.source).parent))),
            name_prefix=media.head, name_suffix=media.tail, start_frame=media.available.first, frame_step=1,
            rate=rate, frame_zero_padding=media.padding, available_range=available)
    return otio.schema.ExternalReference(target_url=urls.path_to_url(media.source), available_range=available)


def _clip(strip: Any, rate: float) -> otio.schema.Clip:
    """A media strip as a clip: its plate, the frames it shows, ShotLoop's ids."""
    from .collect import strip_media  # collect imports this module
    data: dict[str, Any] = {"colorspace": colour.to_agent(strip.colorspace_settings.name),
                            "channel": strip.channel, "strip": strip.name}
    source = imprint.read_source(strip)
    if source is not None:
        data.update(shot=source.shot, shot_id=source.shot_id)
    try:
        media = strip_media(strip)
    except Exception as exc:  # keep the cut's timing even when the media is gone
        log.info("%s: in the cut without media (%s)", strip.name, exc)
        clip = otio.schema.Clip(name=strip.name, source_range=TimeRange(
            RationalTime(0, rate), RationalTime(strip.frame_final_duration, rate)))
    else:
        if media.resolution is not None:
            data["resolution"] = str(media.resolution)
        clip = otio.schema.Clip(name=strip.name, media_reference=_plate_reference(media, rate),
                                source_range=TimeRange(RationalTime(media.first, rate),
                                                       RationalTime(media.last - media.first + 1, rate)))
    clip.metadata["shotloop"] = data
    clip.enabled = not strip.mute
    return clip


def build_cut(scene: Any, *, channels: Iterable[int] | None = None) -> Cut:
    """The scene's Sequencer as a Cut (optionally only some channels)."""
    rate = float(compat.scene_rate(scene.render))
    editor = scene.sequence_editor
    strips = [s for s in (compat.top_strips(editor) if editor is not None else ())
              if s.type in compat.MEDIA_TYPES and imprint.read_container(s) is None]
    wanted = set(channels) if channels is not None else None
    origin = min([scene.frame_start, *(s.frame_final_start for s in strips)])
    timeline = otio.schema.Timeline(name=scene.name, global_start_time=RationalTime(origin, rate))
    timeline.metadata["shotloop"] = {"host": "blender", "scene": scene.name}
    by_channel: dict[int, list[Any]] = {}
    for strip in strips:
        if wanted is None or strip.channel in wanted:
            by_channel.setdefault(strip.channel, []).append(strip)
    for channel in sorted(by_channel):
        track = otio.schema.Track(name=_track_name(scene, channel), kind=otio.schema.TrackKind.Video)
        cursor = origin
        for strip in sorted(by_channel[channel], key=lambda s: s.frame_final_start):
            if strip.frame_final_start > cursor:
                track.append(otio.schema.Gap(source_range=TimeRange(
                    RationalTime(0, rate), RationalTime(strip.frame_final_start - cursor, rate))))
            track.append(_clip(strip, rate))
            cursor = strip.frame_final_end
        timeline.tracks.append(track)
    for marker in sorted(scene.timeline_markers, key=lambda m: m.frame):
        timeline.tracks.markers.append(otio.schema.Marker(
            name=marker.name, marked_range=TimeRange(RationalTime(marker.frame - origin, rate), RationalTime(0, rate))))
    path = Path(bpy.data.filepath) if bpy.data.filepath else Path(f"{scene.name}.blend")
    return Cut(path=path, timeline=timeline, adapter=ADAPTER, rate=rate, media_root=path.parent)


def edit_contexts(scene: Any, strips: Sequence[Any], *, handles: tuple[int, int] = (8, 8)) -> dict[str, EditContext]:
    """EditContext per shot id for ``strips`` (already imprinted), on the main thread."""
    ids = [i.shot_id for i in map(imprint.read_source, strips) if i is not None]
    return jobrequests.contexts_from_cut(build_cut(scene, channels={s.channel for s in strips}), ids, handles=handles)


# ---------------------------------------------------------------------- review export


def version_of(scene: Any, strip: Any) -> Version | None:
    """A version strip as the store's Version (what the review writer needs)."""
    found = imprint.read_container(strip)
    if found is None or not len(strip.elements):
        return None
    container = found[0]
    first = split_numbered(strip.elements[0].filename)
    if first is None:
        return None
    folder = Path(bpy.path.abspath(strip.directory)).resolve()
    elem = strip.elements[0]
    take = getattr(strip, "shotloop_take", None)
    return Version(
        shot=container.shot, label=container.label, number=container.version, path=str(folder),
        frames=str(folder / first.pattern()),
        frame_range=FrameRange(first.number, first.number + len(strip.elements) - 1),
        fps=float(compat.scene_rate(scene.render)),
        resolution=Resolution(elem.orig_width or scene.render.resolution_x,
                              elem.orig_height or scene.render.resolution_y),
        colorspace=colour.to_agent(strip.colorspace_settings.name),
        review=ReviewStatus(take.review) if take is not None else ReviewStatus.PENDING,
        note=take.note if take is not None else "",
    )


def versions_in_scene(scene: Any) -> dict[str, list[Version]]:
    by_shot: dict[str, list[Version]] = {}
    for strip, container in imprint.containers(scene):
        version = version_of(scene, strip)
        if version is not None:
            by_shot.setdefault(container.shot, []).append(version)
    return by_shot


def review_timelines(scene: Any) -> tuple[otio.schema.Timeline, otio.schema.Timeline]:
    """(review timeline with the takes as references, takes layout with a track per take)."""
    cut = build_cut(scene)
    versions = versions_in_scene(scene)
    review = edit_review.build_review(cut, versions, name=f"{scene.name}_review")
    review.metadata["shotloop"] = {**dict(review.metadata.get("shotloop", {})), "host": "blender"}
    return review, edit_review.build_takes_layout(review)


def export(scene: Any, path: Path | str, *, takes_layout: bool = True) -> list[Path]:
    """Write the review timeline to ``path`` (.otio, .otioz, .edl or .xml) and, next to it,
    ``<stem>_takes.otio`` with one track per take. Returns the written paths."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    review, layout = review_timelines(scene)
    written = [write_timeline(review, target, overwrite=True).path]
    if takes_layout:
        written.append(write_timeline(layout, target.with_name(f"{target.stem}_takes.otio"), overwrite=True).path)
    return written


__all__ = ["build_cut", "edit_contexts", "version_of", "versions_in_scene", "review_timelines", "export"]
