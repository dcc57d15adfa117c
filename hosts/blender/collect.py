"""Selected movie / image strips → Shots (collect, main thread only).

A shot's ``frame_range`` is the plate frames the strip shows (image sequences: the numbers
in the file names; movies: pictures counted from 0, as shotloop.media and OTIO media time count), ``fps`` the scene's exact rate (VSE does
not conform media rates, so the take must match the timeline frame for frame), the
resolution from the media header and the colour space from the strip, named as the agent's
OCIO config names it.
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from typing import Any, Sequence

import bpy

from shotloop.errors import PlateInvalid, ShotLoopError
from shotloop.host import ShotSelection
from shotloop.model import FrameRange, Resolution, Shot

from . import colour, compat, imprint, jobrequests, timeline
from .frames import MOVIE_FIRST_FRAME, split_numbered

log = logging.getLogger(__name__)

_SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
DEFAULT_HANDLES = (8, 8)


@dataclass(frozen=True)
class StripMedia:
    """What a media strip shows, in plate frame numbers."""

    source: str  # absolute movie path or sequence pattern
    first: int  # plate frame at the strip's first visible timeline frame
    last: int
    available: FrameRange  # every plate frame the strip's media holds
    resolution: Resolution | None
    media_fps: float | None  # movies only
    head: str = ""  # image sequences: file name parts, for OTIO references
    tail: str = ""
    padding: int = 4


@dataclass(frozen=True)
class Collected:
    """Shots ready to send, one error per strip that is not, and what the artist should know.

    ``cut`` is the VSE cut the shots sit in (pure OTIO data, safe to hand to a worker thread);
    selections carry no EditContext yet when collected with ``edit=False``."""

    selections: list[ShotSelection] = field(default_factory=list)
    errors: list[ShotLoopError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cut: Any = None
    handles: tuple[int, int] = DEFAULT_HANDLES


def _visible_index(strip: Any) -> tuple[int, int]:
    """0-based content index of the first and last visible frame."""
    first = strip.frame_final_start - int(round(strip.frame_start))
    return first, first + strip.frame_final_duration - 1


def strip_media(strip: Any) -> StripMedia:
    """Read the plate behind a movie or image strip; PlateInvalid when it cannot be sent."""
    name = strip.name
    if strip.type == "MOVIE":
        path = os.path.normpath(bpy.path.abspath(strip.filepath))
        if not os.path.isfile(path):
            raise PlateInvalid(f"movie {path} does not exist", shot=name, field="shot.source",
                               fix="relink the strip's movie (Strip > Movie > File)")
        count = strip.frame_duration
        elem = strip.elements[0] if len(strip.elements) else None
        res = Resolution(elem.orig_width, elem.orig_height) if elem is not None and elem.orig_width else None
        first_idx, last_idx = _visible_index(strip)
        _check_inside(name, first_idx, last_idx, count)
        return StripMedia(path, MOVIE_FIRST_FRAME + first_idx, MOVIE_FIRST_FRAME + last_idx,
                          FrameRange(MOVIE_FIRST_FRAME, MOVIE_FIRST_FRAME + count - 1), res,
                          float(strip.fps) if getattr(strip, "fps", 0) else None)
    if strip.type == "IMAGE":
        elements = strip.elements
        count = len(elements)
        numbered = [split_numbered(elements[0].filename), split_numbered(elements[count - 1].filename)]
        if numbered[0] is None or numbered[1] is None:
            raise PlateInvalid(f"image {elements[0].filename} is not a numbered sequence", shot=name,
                               field="shot.source", fix="use an image sequence with frame numbers in the file names")
        head, tail = numbered[0], numbered[1]
        if (head.head, head.tail) != (tail.head, tail.tail) or tail.number - head.number != count - 1:
            raise PlateInvalid(
                f"the strip's {count} images are not one consecutive sequence "
                f"({elements[0].filename} … {elements[count - 1].filename})",
                shot=name, field="shot.source", fix="load the plate as one numbered image sequence")
        directory = os.path.normpath(bpy.path.abspath(strip.directory))
        pattern = os.path.join(directory, head.pattern())
        first_idx, last_idx = _visible_index(strip)
        _check_inside(name, first_idx, last_idx, count)
        elem = elements[0]
        res = Resolution(elem.orig_width, elem.orig_height) if elem.orig_width else None
        return StripMedia(pattern, head.number + first_idx, head.number + last_idx,
                          FrameRange(head.number, tail.number), res, None,
                          head=head.head, tail=head.tail, padding=head.padding)
    raise PlateInvalid(f"is a {strip.type.lower()} strip", shot=name, field="shot.source",
                       fix="select movie or image strips (effects, colour, text and sound strips cannot be sent)")


def _check_inside(name: str, first_idx: int, last_idx: int, count: int) -> None:
    if first_idx < 0 or last_idx >= count:
        raise PlateInvalid(
            f"the strip holds frames beyond its media ({count} frames; visible {first_idx + 1}-{last_idx + 1})",
            shot=name, field="shot.frame_range",
            fix="trim the strip's handles to the media (no held frames)")


def source_frame_at_start(strip: Any) -> int:
    """The plate frame number the strip shows at its first visible timeline frame."""
    return strip_media(strip).first


def _resolution(scene: Any, media: StripMedia) -> Resolution:
    if media.resolution is not None:
        return media.resolution
    render = scene.render
    return Resolution(render.resolution_x, render.resolution_y)


def shot_of(scene: Any, strip: Any) -> tuple[Shot, list[str]]:
    """One strip → Shot (imprints the strip's stable id on first use)."""
    if imprint.read_container(strip) is not None:
        raise PlateInvalid("is a ShotLoop version strip", shot=strip.name, field="selection",
                           fix="select the source strip below it to send the shot again")
    media = strip_media(strip)
    source_imprint = imprint.ensure_source(scene, strip)
    if not _SAFE_NAME.match(source_imprint.shot):
        raise PlateInvalid(f"name '{source_imprint.shot}' cannot name a shot in the version store",
                           shot=strip.name, field="shot.name",
                           fix="rename the strip with letters, digits, '_', '.' or '-' only")
    rate = compat.scene_rate(scene.render)
    warnings = []
    if media.media_fps and abs(media.media_fps - float(rate)) > 1e-3:
        warnings.append(f"{strip.name}: the movie runs at {media.media_fps:g} fps in a {float(rate):.3f} fps "
                        "scene; the take is made at the scene rate, frame for frame")
    shot = Shot(
        name=source_imprint.shot,
        source=media.source,
        frame_range=FrameRange(media.first, media.last),
        fps=float(rate),
        resolution=_resolution(scene, media),
        colorspace=colour.to_agent(strip.colorspace_settings.name),
        shot_id=source_imprint.shot_id,
        ocio_config=colour.host_config(),
    )
    return shot, warnings


def collect(scene: Any, strips: Sequence[Any] | None = None, *,
            handles: tuple[int, int] = DEFAULT_HANDLES, edit: bool = True) -> Collected:
    """Shots for ``strips`` (default: the selected ones) with their place in the cut; one
    error per strip that cannot go. ``edit=False`` leaves the EditContexts to be made from
    ``Collected.cut`` later (off the main thread)."""
    chosen = list(strips) if strips is not None else compat.selected_strips(scene)
    ready_cut = None
    ready: list[tuple[Any, Shot]] = []
    errors: list[ShotLoopError] = []
    warnings: list[str] = []
    for strip in chosen:
        if strip.type == "SOUND":
            continue  # selected alongside its picture: never a shot
        try:
            shot, notes = shot_of(scene, strip)
        except ShotLoopError as err:
            errors.append(err)
            continue
        ready.append((strip, shot))
        warnings.extend(notes)
    contexts: dict[str, Any] = {}
    if ready:
        ready_cut = timeline.build_cut(scene, channels={strip.channel for strip, _ in ready})
        if edit:
            contexts = jobrequests.contexts_from_cut(ready_cut, [shot.shot_id for _, shot in ready], handles=handles)
    for text in warnings:
        log.warning("%s", text)
    selections = [ShotSelection(node_id=strip.name, shot=shot, edit=contexts.get(shot.shot_id))
                  for strip, shot in ready]
    return Collected(selections, errors, warnings, ready_cut, handles)
