"""Match the shots of a cut to the plates a host or the CLI sends.

A plate (``model.Shot``) matches a cut shot by, strongest first: a ShotLoop id in the
clip's ``metadata["shotloop"]`` (``Shot.shot_id``), the source path (frame patterns
``####``, ``%04d``, ``[1001-1100]`` compare equal), the source file name, the clip / shot
name, or the reel. Each cut shot gets at most one plate; a plate may serve several cut
shots (a shot used twice in the cut). The report lists what matched how, and what was
left over on both sides.
"""
from __future__ import annotations

import os
import posixpath
import re
from dataclasses import dataclass
from typing import Callable, Sequence

from ..model import EditContext, Shot
from . import urls
from .shots import CutShot

__all__ = ["Match", "MatchReport", "match_shots", "normalise_source"]

_PRINTF = re.compile(r"%0?(\d*)d")
_BRACKET = re.compile(r"\[(\d+)-(\d+)\]")
_HASHES = re.compile(r"#+|@+")
_LEVELS = ("id", "path", "file", "name", "reel")


@dataclass(frozen=True)
class Match:
    """A plate with the cut shot it stands for; ``by`` says which key matched."""

    plate: Shot
    cut_shot: CutShot
    by: str

    @property
    def edit(self) -> EditContext:
        return self.cut_shot.edit


@dataclass(frozen=True)
class MatchReport:
    matches: tuple[Match, ...]
    unmatched_cut: tuple[CutShot, ...]
    unmatched_plates: tuple[Shot, ...]
    ambiguous: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.unmatched_cut and not self.unmatched_plates

    def lines(self) -> list[str]:
        """The report as a person reads it."""
        out = [f"{m.plate.name} <- {m.cut_shot.name} ({m.edit.track} "
               f"{m.edit.edit_timecode}) by {m.by}" for m in self.matches]
        out += [f"cut shot without a plate: {c.name} ({c.edit.track} {c.edit.edit_timecode})"
                for c in self.unmatched_cut]
        out += [f"plate not in the cut: {p.name} ({p.source})" for p in self.unmatched_plates]
        out += [f"ambiguous: {a}" for a in self.ambiguous]
        return out

    def to_data(self) -> dict[str, object]:
        return {
            "matches": [{"plate": m.plate.name, "shot": m.cut_shot.name, "track": m.edit.track,
                         "edit_timecode": m.edit.edit_timecode, "by": m.by} for m in self.matches],
            "unmatched_cut": [c.name for c in self.unmatched_cut],
            "unmatched_plates": [p.name for p in self.unmatched_plates],
            "ambiguous": list(self.ambiguous),
        }


def normalise_source(path: str) -> str:
    """A comparable form of a media path: decoded, ``/`` separators, normalised, and any
    frame token (``####``, ``@@@@``, ``%04d``, ``[1001-1100]``) as ``#``."""
    if not path:
        return ""
    local = urls.local_path(path) or path
    local = local.replace("\\", "/")
    local = posixpath.normpath(local) if local else local
    local = _BRACKET.sub("#", local)
    local = _PRINTF.sub("#", local)
    return _HASHES.sub("#", local)


def match_shots(cut_shots: Sequence[CutShot], plates: Sequence[Shot],
                keys: Sequence[str] = _LEVELS) -> MatchReport:
    """Pair plates with cut shots, strongest key first (see module doc)."""
    extractors: dict[str, tuple[Callable[[CutShot], set[str]], Callable[[Shot], set[str]]]] = {
        "id": (lambda c: {c.shotloop_id} if c.shotloop_id else set(),
               lambda p: {p.shot_id} if p.shot_id else set()),
        "path": (lambda c: _nonempty(normalise_source(c.edit.media)),
                 lambda p: _nonempty(normalise_source(p.source))),
        "file": (lambda c: _nonempty(os.path.basename(normalise_source(c.edit.media))),
                 lambda p: _nonempty(os.path.basename(normalise_source(p.source)))),
        "name": (lambda c: _nonempty(c.name.casefold(), c.edit.clip.casefold()),
                 lambda p: _nonempty(p.name.casefold())),
        "reel": (lambda c: _nonempty(c.edit.reel.casefold()),
                 lambda p: _nonempty(p.name.casefold(), _stem(p.source).casefold())),
    }
    taken: dict[int, Match] = {}
    used_plates: set[int] = set()
    ambiguous: list[str] = []
    for level in keys:
        cut_keys, plate_keys = extractors[level]
        index: dict[str, list[int]] = {}
        for p_index, plate in enumerate(plates):
            for key in plate_keys(plate):
                index.setdefault(key, []).append(p_index)
        for c_index, cut_shot in enumerate(cut_shots):
            if c_index in taken:
                continue
            candidates = sorted({p for key in cut_keys(cut_shot) for p in index.get(key, [])})
            if not candidates:
                continue
            fresh = [p for p in candidates if p not in used_plates] or candidates
            if len(fresh) > 1:
                ambiguous.append(f"{cut_shot.name} matches plates "
                                 f"{[plates[p].name for p in fresh]} by {level}; took the first")
            chosen = fresh[0]
            taken[c_index] = Match(plates[chosen], cut_shot, level)
            used_plates.add(chosen)
    matches = tuple(taken[i] for i in sorted(taken))
    return MatchReport(
        matches=matches,
        unmatched_cut=tuple(c for i, c in enumerate(cut_shots) if i not in taken),
        unmatched_plates=tuple(p for i, p in enumerate(plates) if i not in used_plates),
        ambiguous=tuple(ambiguous),
    )


def _nonempty(*values: str) -> set[str]:
    return {v for v in values if v}


def _stem(path: str) -> str:
    name = os.path.basename(normalise_source(path))
    return name.split(".")[0].rstrip("_#") if name else ""
