"""Versions as VSE strips: load, update, switch, remove (main thread only).

Each published version is an image-sequence strip on a free channel above its source strip,
aligned frame-exactly to the shot's edit range (take frame n sits where the plate shows
frame n; handles are trimmed off). One take per source is on view: the others are muted,
and A/B mutes them all to show the plate. Review status shows as the strip's colour:
green approved, red rejected, blue the newest pending take, yellow an older pending one.
Strips are looked up by their imprint every time, never held across calls.
"""
from __future__ import annotations

import logging
import os
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import bpy

from shotloop.errors import PlateInvalid, ShotLoopError
from shotloop.host import Container, VersionRef
from shotloop.model import ReviewStatus

from . import colour, compat, imprint
from .collect import source_frame_at_start
from .frames import frame_file, free_channel, place_take

log = logging.getLogger(__name__)

LOADER_NAME = "VseStripLoader"
TAG_APPROVED, TAG_REJECTED, TAG_LATEST, TAG_OUTDATED = "COLOR_04", "COLOR_01", "COLOR_05", "COLOR_03"


class VersionMissing(ShotLoopError):
    """The version's frames are not where the store says."""

    code = "version_missing"


def strip_name(shot: str, label: str, number: int) -> str:
    return f"{shot}_{label}_v{number:03d}"


def version_files(version: VersionRef) -> list[str]:
    return [frame_file(version.frames, n) for n in range(version.first, version.last + 1)]


class VseStripLoader:
    """VersionLoader for the Sequencer of one scene."""

    name = LOADER_NAME

    def __init__(self, scene: Any) -> None:
        self.scene = scene

    # ------------------------------------------------------------------ lookups
    def index(self) -> imprint.Index:
        return imprint.Index(self.scene)

    @staticmethod
    def _source(index: imprint.Index, container: Container) -> tuple[Any, imprint.SourceImprint]:
        found = index.source(container.source_id)
        if found is None:
            raise PlateInvalid("its source strip is no longer in the Sequencer", shot=container.shot,
                               field="source_id", fix="undo the deletion, or send the shot again")
        return found

    def strip_of(self, container: Container) -> Any:
        found = self.index().container(container.container_id)
        return found[0] if found is not None else None

    def find(self, source_id: str, label: str, number: int) -> tuple[Any, Container] | None:
        return self.index().find(source_id, label, number)

    # ------------------------------------------------------------------ VersionLoader
    def load(self, container: Container, version: VersionRef, *, colorspace: str = "ACEScg",
             make_current: bool = True, review: ReviewStatus | str | None = None, note: str = "") -> str:
        """Add the version's strip above its source (or return the one already there).

        ``review``/``note`` mirror the version's review state onto the strip in the same pass."""
        index = self.index()
        existing = index.find(container.source_id, version.label, version.number)
        if existing is not None:
            strip = existing[0]
        else:
            source, _ = self._source(index, container)
            strip = self._new_strip(source, version, colorspace)
            index.add(strip, replace(container, container_id=container.container_id or uuid.uuid4().hex,
                                     shot=version.shot, label=version.label, version=version.number,
                                     loader=LOADER_NAME))
        if review is not None:
            self._mirror_review(strip, review, note)
        if make_current:
            self._set_current(index, container.source_id, version.label, version.number)
        else:
            self._apply(index, container.source_id)
        return strip.name

    def update(self, container: Container, version: VersionRef, *, colorspace: str = "ACEScg") -> None:
        """Point the container's strip at another version, in place (same strip, new frames)."""
        index = self.index()
        found = index.container(container.container_id)
        if found is None:
            raise PlateInvalid("its version strip is no longer in the Sequencer", shot=container.shot,
                               field="container_id", fix="load the version again from the ShotLoop panel")
        strip = found[0]
        source, _ = self._source(index, container)
        files = self._files(version)
        strip.directory = os.path.dirname(files[0]) + os.sep
        while len(strip.elements) > 1:
            strip.elements.pop(len(strip.elements) - 1)
        strip.elements[0].filename = os.path.basename(files[0])
        for path in files[1:]:
            strip.elements.append(os.path.basename(path))
        self._place(strip, source, version, len(files))
        self._set_colorspace(strip, colorspace)
        strip.name = strip_name(version.shot, version.label, version.number)
        index.add(strip, replace(container, version=version.number, label=version.label))
        self._apply(index, container.source_id)

    def switch(self, container: Container, version: VersionRef, *, colorspace: str = "ACEScg") -> None:
        """Make ``version`` the take on view for the container's source (loading it if needed)."""
        if self.find(container.source_id, version.label, version.number) is None:
            self.load(replace(container, container_id=""), version, colorspace=colorspace)
            return
        self.set_current(container.source_id, version.label, version.number)

    def remove(self, container: Container) -> None:
        index = self.index()
        found = index.container(container.container_id)
        if found is None:
            return
        strip = found[0]
        compat.siblings(strip, self.scene.sequence_editor).remove(strip)
        index = self.index()
        source_found = index.source(container.source_id)
        if source_found is None:
            return
        source_strip, source = source_found
        if source.current.get(container.label) == container.version:
            left = [c.version for _, c in index.stack(container.source_id, container.label)]
            current = dict(source.current)
            if left:
                current[container.label] = max(left)
            else:
                current.pop(container.label, None)
            index.set_source(source_strip, replace(source, current=current))
        self._apply(index, container.source_id)

    # ------------------------------------------------------------------ stack state
    def set_current(self, source_id: str, label: str, number: int) -> None:
        self._set_current(self.index(), source_id, label, number)

    def _set_current(self, index: imprint.Index, source_id: str, label: str, number: int) -> None:
        found = index.source(source_id)
        if found is None:
            return
        strip, source = found
        index.set_source(strip, replace(source, current={**source.current, label: number}, label=label,
                                        showing=imprint.SHOWING_VERSION))
        self._apply(index, source_id)

    def show_source(self, source_id: str, on: bool) -> None:
        """A/B: show the plate (all takes muted) or the current take again."""
        index = self.index()
        found = index.source(source_id)
        if found is None:
            return
        strip, source = found
        showing = imprint.SHOWING_SOURCE if on else imprint.SHOWING_VERSION
        index.set_source(strip, replace(source, showing=showing))
        self._apply(index, source_id)

    def set_review(self, source_id: str, label: str, number: int, status: ReviewStatus | str,
                   note: str = "") -> None:
        index = self.index()
        found = index.find(source_id, label, number)
        if found is None:
            return
        self._mirror_review(found[0], status, note)
        self._apply(index, source_id)

    @staticmethod
    def _mirror_review(strip: Any, status: ReviewStatus | str, note: str) -> None:
        if hasattr(strip, "shotloop_take"):
            value = ReviewStatus(status).value
            if strip.shotloop_take.review != value:
                strip.shotloop_take.review = value
            if strip.shotloop_take.note != note:
                strip.shotloop_take.note = note

    def apply_visibility(self, source_id: str) -> None:
        self._apply(self.index(), source_id)

    @staticmethod
    def _apply(index: imprint.Index, source_id: str) -> None:
        """Mute every take but the one on view; colour each by its review state."""
        found = index.source(source_id)
        takes = index.stack(source_id)
        shown = found[1].shown if found is not None else None
        newest: dict[str, int] = {}
        for _, c in takes:
            newest[c.label] = max(newest.get(c.label, 0), c.version)
        for strip, c in takes:
            on_view = shown == (c.label, c.version)
            if strip.mute == on_view:
                strip.mute = not on_view
            review = strip.shotloop_take.review if hasattr(strip, "shotloop_take") else ReviewStatus.PENDING.value
            if review == ReviewStatus.APPROVED.value:
                tag = TAG_APPROVED
            elif review == ReviewStatus.REJECTED.value:
                tag = TAG_REJECTED
            else:
                tag = TAG_LATEST if c.version == newest[c.label] else TAG_OUTDATED
            if strip.color_tag != tag:
                strip.color_tag = tag

    # ------------------------------------------------------------------ building strips
    def _files(self, version: VersionRef) -> list[str]:
        files = version_files(version)
        if not files or not os.path.isfile(files[0]):
            raise VersionMissing(f"version {version.number} has no frames at {version.frames}",
                                 shot=version.shot, field="version.frames",
                                 fix="check that the version store is reachable from this machine")
        return files

    def _new_strip(self, source: Any, version: VersionRef, colorspace: str) -> Any:
        files = self._files(version)
        editor = self.scene.sequence_editor
        container = compat.siblings(source, editor)
        placement = self._placement(source, version, len(files))
        span = (min(placement.frame_start, placement.final_start),
                max(placement.frame_start + len(files), placement.final_end))
        staging = free_channel(self._busy(container, None), *span, lowest=source.channel + 1)
        strip = container.new_image(name=strip_name(version.shot, version.label, version.number),
                                    filepath=files[0], channel=staging, frame_start=placement.frame_start)
        for path in files[1:]:
            strip.elements.append(os.path.basename(path))
        self._trim(strip, placement)
        target = free_channel(self._busy(container, strip), placement.final_start, placement.final_end,
                              lowest=source.channel + 1)
        if strip.channel != target:
            strip.channel = target
        self._set_colorspace(strip, colorspace)
        strip.select = False
        return strip

    def _placement(self, source: Any, version: VersionRef, count: int) -> Any:
        placement = place_take(source.frame_final_start, source.frame_final_end,
                               source_frame_at_start(source), version.first, count)
        if not placement.aligned:
            log.warning("%s v%03d: frames %d-%d do not overlap the plate's %d-%d; placed at the cut's start",
                        version.shot, version.number, version.first, version.last,
                        source_frame_at_start(source), source_frame_at_start(source) + source.frame_final_duration - 1)
        return placement

    def _place(self, strip: Any, source: Any, version: VersionRef, count: int) -> None:
        placement = self._placement(source, version, count)
        strip.frame_offset_start = 0
        strip.frame_offset_end = 0
        strip.frame_start = placement.frame_start
        self._trim(strip, placement)

    @staticmethod
    def _trim(strip: Any, placement: Any) -> None:
        strip.frame_offset_start = placement.final_start - placement.frame_start
        strip.frame_offset_end = (placement.frame_start + strip.frame_duration) - placement.final_end

    @staticmethod
    def _busy(container: Any, skip: Any) -> dict[int, list[tuple[int, int]]]:
        busy: dict[int, list[tuple[int, int]]] = {}
        for s in container:
            if skip is not None and s == skip:
                continue
            busy.setdefault(s.channel, []).append((s.frame_final_start, s.frame_final_end))
        return busy

    @staticmethod
    def _set_colorspace(strip: Any, name: str) -> None:
        wanted = colour.to_blender(name)
        try:
            if strip.colorspace_settings.name != wanted:
                strip.colorspace_settings.name = wanted
        except TypeError:
            log.warning("%s: colour space %r is not in Blender's OCIO config; left as %s",
                        strip.name, wanted, strip.colorspace_settings.name)


def store_root_of(strip: Any) -> str:
    """The version store root a version strip was loaded from (<root>/<shot>/<label>/vNNN/)."""
    folder = Path(bpy.path.abspath(strip.directory))
    return str(folder.parents[2]) if len(folder.parents) >= 3 else ""
