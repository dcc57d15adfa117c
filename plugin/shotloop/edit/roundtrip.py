"""Read a review timeline back from editorial and say what changed, for the ledger.

Editorial may have
- made another take the active one (OTIO: ``active_media_reference_key``; EDL / XML: the
  clip now points at another take's file) → that take is APPROVED, and a previously
  approved take of the shot goes back to PENDING;
- set a status or note in ShotLoop's metadata (on the clip, in its ``takes`` list or on
  a take's reference) → that status / note;
- added a marker: its first word may be a status (APPROVE(D), OK, REJECT(ED), KILL,
  PENDING, HOLD, REVIEW; or ``metadata["shotloop"]["status"]``), the rest is a note for
  the take it names (``metadata["shotloop"]["take"]``) or else the active take.

What editorial saw at export is the baseline: the ledger's versions when given (best),
else the snapshot in the review timeline's metadata, else the data carried in EDL
comments / FCP XML comments. Markers that were in the cut at export are ignored.
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import opentimelineio as otio

from ..model import ReviewStatus, Version
from . import carriers
from .match import normalise_source
from .read import read_cut
from .carriers import MOVIE_SUFFIX, PLATE_KEY
from .review import take_data
from .clipinfo import media_path, video_clips

__all__ = ["ReviewChange", "read_review_changes", "review_changes", "STATUS_WORDS"]

log = logging.getLogger(__name__)

STATUS_WORDS: dict[str, ReviewStatus] = {
    "APPROVE": ReviewStatus.APPROVED, "APPROVED": ReviewStatus.APPROVED, "OK": ReviewStatus.APPROVED,
    "REJECT": ReviewStatus.REJECTED, "REJECTED": ReviewStatus.REJECTED, "KILL": ReviewStatus.REJECTED,
    "PENDING": ReviewStatus.PENDING, "HOLD": ReviewStatus.PENDING, "REVIEW": ReviewStatus.PENDING,
}
_VERSION_DIR = re.compile(r"/(?P<shot>[^/]+)/(?P<label>[^/]+)/v(?P<number>\d+)/[^/]*$")


@dataclass(frozen=True)
class ReviewChange:
    """One take whose review state editorial changed; ``what`` says how, for the log."""

    shot: str
    label: str
    version: int
    status: ReviewStatus
    note: str = ""
    what: str = ""


@dataclass
class _Pending:
    status: ReviewStatus
    notes: list[str] = field(default_factory=list)
    whats: list[str] = field(default_factory=list)


def read_review_changes(path: str | Path, *, rate: float | None = None,
                        versions: Iterable[Version] | Callable[[str], Iterable[Version]] | None = None,
                        extract_to: str | Path | None = None) -> list[ReviewChange]:
    """Read a review timeline file (.otio/.otioz/.edl/.xml) and return its changes."""
    cut = read_cut(path, rate=rate, extract_to=extract_to)
    return review_changes(cut.timeline, versions=versions, media_root=cut.media_root)


def review_changes(timeline: otio.schema.Timeline, *,
                   versions: Iterable[Version] | Callable[[str], Iterable[Version]] | None = None,
                   media_root: str | Path | None = None) -> list[ReviewChange]:
    """Changes in ``timeline`` against the baseline (see module doc). ``versions`` is the
    ledger's view: a list, or a callable giving one shot's versions."""
    if callable(versions):
        lookup = versions
        shots = set()
        for _t, _track, _i, clip in video_clips(timeline):
            data, _carrier = carriers.shotloop_data(clip)
            shots.add(str((data or {}).get("shot") or clip.name))
        versions = [v for shot in sorted(shots) for v in lookup(shot)]
    ledger = {(v.shot, v.name): v for v in versions or ()}
    exported = carriers.plain(timeline.metadata.get("shotloop", {})).get("exported", {})
    found: dict[tuple[str, str], _Pending] = {}
    takes_seen: dict[tuple[str, str], dict[str, Any]] = {}
    baselines: dict[tuple[str, str], tuple[ReviewStatus, str]] = {}
    for _t, _track, _i, clip in video_clips(timeline):
        data, carrier = carriers.shotloop_data(clip)
        if data is None:
            data, carrier = _from_ledger(clip, ledger, media_root), "ledger"
            if data is None:
                continue
        shot = str(data.get("shot") or clip.name)
        takes = {str(t["key"]): t for t in data.get("takes", []) if "key" in t}
        snapshot = exported.get(shot) if carrier == "otio" else None
        base = _Baseline(shot, takes, snapshot, data, ledger)
        for key, take in takes.items():
            takes_seen[(shot, key)] = take
            baselines[(shot, key)] = (base.current_status(key), base.current_note(key))
        _ClipChanges(shot, clip, carrier, data, takes, base, found, ledger, media_root).collect()
    changes: list[ReviewChange] = []
    for (shot, key), pending in found.items():
        take = takes_seen.get((shot, key))
        if take is None:
            continue
        status, note = baselines.get((shot, key), (ReviewStatus.PENDING, ""))
        notes = [n for n in pending.notes if n and n != note]
        if pending.status == status and not notes:
            continue
        changes.append(ReviewChange(shot, str(take.get("label", "")), int(take.get("version", 0)),
                                    pending.status, "; ".join(dict.fromkeys(notes)),
                                    "; ".join(dict.fromkeys(pending.whats))))
    changes.sort(key=lambda c: (c.shot, c.label, c.version))
    for change in changes:
        log.info("%s %s v%03d -> %s: %s", change.shot, change.label, change.version,
                 change.status.value, change.what)
    return changes


# --------------------------------------------------------------------------- internals


def _status(value: Any) -> ReviewStatus | None:
    try:
        return ReviewStatus(str(value).strip().lower())
    except ValueError:
        return None


class _Baseline:
    """What the file said at export (to see edits) and what is true now (the ledger when
    given, to report only real changes), per take key."""

    def __init__(self, shot: str, takes: dict[str, Any], snapshot: dict[str, Any] | None,
                 data: dict[str, Any], ledger: dict[tuple[str, str], Version]) -> None:
        self.shot, self.takes, self.snapshot, self.ledger = shot, takes, snapshot, ledger
        origin = snapshot if snapshot is not None else data
        self.active = str(origin.get("active", "")).removesuffix(MOVIE_SUFFIX)
        self.markers = {str(m).casefold() for m in origin.get("markers", [])}

    def _exported(self, key: str, field: str) -> Any:
        if self.snapshot is not None and key in self.snapshot.get("takes", {}):
            return self.snapshot["takes"][key].get(field)
        return self.takes.get(key, {}).get(field)

    def status(self, key: str) -> ReviewStatus:
        """The status written at export."""
        return _status(self._exported(key, "status")) or ReviewStatus.PENDING

    def note(self, key: str) -> str:
        return str(self._exported(key, "note") or "")

    def current_status(self, key: str) -> ReviewStatus:
        version = self.ledger.get((self.shot, key))
        return ReviewStatus(version.review) if version is not None else self.status(key)

    def current_note(self, key: str) -> str:
        version = self.ledger.get((self.shot, key))
        return version.note if version is not None else self.note(key)


class _ClipChanges:
    def __init__(self, shot: str, clip: otio.schema.Clip, carrier: str, data: dict[str, Any],
                 takes: dict[str, Any], base: _Baseline, found: dict[tuple[str, str], _Pending],
                 ledger: dict[tuple[str, str], Version], media_root: str | Path | None) -> None:
        self.shot, self.clip, self.carrier, self.data = shot, clip, carrier, data
        self.takes, self.base, self.found = takes, base, found
        self.ledger, self.media_root = ledger, media_root

    def set(self, key: str, status: ReviewStatus | None, note: str, what: str) -> None:
        if key not in self.takes:
            return
        pending = self.found.setdefault((self.shot, key), _Pending(self.base.current_status(key)))
        if status is not None:
            pending.status = status
        pending.notes.append(note)
        pending.whats.append(what)

    def collect(self) -> None:
        active = self.current_active()
        self.active_change(active)
        if self.carrier == "otio":
            self.metadata_changes(active)
        self.marker_changes(active)

    def current_active(self) -> str:
        clip = self.clip
        if self.carrier == "otio" and len(clip.media_references()) > 1:
            key = clip.active_media_reference_key
            return PLATE_KEY if key == PLATE_KEY else key.removesuffix(MOVIE_SUFFIX)
        ref = clip.media_reference
        meta = ref.metadata.get("shotloop", {}) if ref is not None else {}
        if hasattr(meta, "get") and str(meta.get("key", "")) in self.takes:
            return str(meta["key"])
        if isinstance(ref, otio.schema.ImageSequenceReference):
            name, path = ref.name_prefix, media_path(clip, self.media_root)
        else:
            path = media_path(clip, self.media_root)
            name = os.path.basename(path)
        if not path:
            return ""
        for key in sorted(self.takes, key=len, reverse=True):
            if name == key or name.startswith((key + ".", key + "_")):
                return key
        return self.key_from_path(path)

    def key_from_path(self, path: str) -> str:
        wanted = normalise_source(path)
        for take in self.takes.values():
            for source in (take.get("frames", ""), take.get("movie", "")):
                if source and normalise_source(source) == wanted:
                    return str(take["key"])
        for (shot, key), version in self.ledger.items():
            if shot == self.shot and wanted in (normalise_source(version.frames),
                                                normalise_source(version.movie)):
                self.takes.setdefault(key, take_data(version))
                return key
        found = _VERSION_DIR.search(wanted)
        if found and found.group("shot") == self.shot:
            for key, take in self.takes.items():
                if take.get("label") == found.group("label") and \
                        int(take.get("version", -1)) == int(found.group("number")):
                    return key
        return ""

    def active_change(self, active: str) -> None:
        before = self.base.active
        if not active or active == before:
            return
        if active == PLATE_KEY:
            if before in self.takes and self.base.current_status(before) == ReviewStatus.APPROVED:
                self.set(before, ReviewStatus.PENDING, "", "editorial switched the clip back to the plate")
            return
        if active not in self.takes:
            return
        self.set(active, ReviewStatus.APPROVED, "",
                 f"editorial made {active} the active take (was {before or 'the plate'})")
        if before in self.takes and self.base.current_status(before) == ReviewStatus.APPROVED:
            self.set(before, ReviewStatus.PENDING, "", f"{active} replaced it as the active take")

    def metadata_changes(self, active: str) -> None:
        """Status / note edits in the takes list, on a take's references, or on the clip."""
        places: dict[str, list[tuple[str, Any]]] = {key: [("takes list", take)]
                                                    for key, take in self.takes.items()}
        for ref in self.clip.media_references().values():
            meta = carriers.plain(ref.metadata.get("shotloop", {}))
            if str(meta.get("key", "")) in places:
                places[str(meta["key"])].insert(0, (f"{meta.get('kind', 'reference')} reference", meta))
        for key, found in places.items():
            for where, meta in found:
                value = _status(meta.get("status"))
                if value is not None and value != self.base.status(key):
                    self.set(key, value, "", f"status set to {value.value} in the {where} metadata")
                    break
            for where, meta in found:
                note = meta.get("note")
                if note is not None and str(note) != self.base.note(key):
                    self.set(key, None, str(note), f"note changed in the {where} metadata")
                    break
        target = active if active in self.takes else self.base.active
        if target not in self.takes:
            return
        clip_status = _status(self.data.get("status"))
        if clip_status is not None and clip_status != self.base.status(self.base.active):
            self.set(target, clip_status, "", f"clip status set to {clip_status.value}")
        notes = self.data.get("notes")
        if notes is not None and str(notes) != self.base.note(self.base.active):
            self.set(target, None, str(notes), "clip notes changed")

    def marker_changes(self, active: str) -> None:
        for marker in self.clip.markers:
            if marker.name.casefold() in self.base.markers:
                continue
            meta = carriers.plain(marker.metadata.get("shotloop", {}))
            words = marker.name.strip().split(None, 1)
            keyword = STATUS_WORDS.get(words[0].strip(":-,.").upper()) if words else None
            status = _status(meta.get("status")) or keyword
            text = words[1] if (keyword is not None and len(words) > 1) else \
                ("" if keyword is not None else marker.name.strip())
            comment = marker.comment or carriers.plain(marker.metadata.get("fcp_xml", {})).get("comment", "")
            note = " ".join(p for p in (text, str(comment or "")) if p).strip()
            key = str(meta.get("take", "")) or (active if active in self.takes else self.base.active)
            if key not in self.takes:
                log.info("%s: marker %r names no known take; ignored", self.shot, marker.name)
                continue
            what = f"marker {marker.name!r}" + (f" set {status.value}" if status else " added a note")
            self.set(key, status, note, what)


def _from_ledger(clip: otio.schema.Clip, ledger: dict[tuple[str, str], Version],
                 media_root: str | Path | None) -> dict[str, Any] | None:
    """ShotLoop data for a clip whose carrier was lost: recognise the take by its file."""
    if not ledger:
        return None
    wanted = normalise_source(media_path(clip, media_root))
    if not wanted:
        return None
    for (shot, key), version in ledger.items():
        if wanted in (normalise_source(version.frames), normalise_source(version.movie)):
            takes = [take_data(v) for (s, _k), v in ledger.items() if s == shot]
            approved = [t["key"] for t in takes if t["status"] == ReviewStatus.APPROVED.value]
            # Without a carrier the cut's own markers are unknown: only markers that
            # start with a status word count as editorial's.
            plain_markers = [m.name for m in clip.markers
                             if not m.name.strip() or m.name.split()[0].strip(":-,.").upper()
                             not in STATUS_WORDS]
            return {"shot": shot, "active": approved[0] if approved else key,
                    "takes": takes, "markers": plain_markers}
    return None
