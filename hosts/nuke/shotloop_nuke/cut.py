"""The script's linked cut -> an EditContext per shot (runs on the worker thread).

Reads the cut with ``shotloop.edit`` (OpenTimelineIO) and matches the shots sent from the
script against its clips (by ShotLoop id, plate path, file name, clip name or reel). A matched
shot takes the cut's shot name, so its versions line up with editorial's naming.
"""
from __future__ import annotations

import logging
from dataclasses import replace
from typing import Sequence

from shotloop.model import EditContext, Shot

log = logging.getLogger(__name__)


def edit_contexts(shots: Sequence[Shot], cut_path: str, fps: float) -> dict[int, tuple[str, EditContext]]:
    """index of ``shots`` -> (cut shot name, edit context) for every shot the cut contains.

    Raises EditInvalid when the cut cannot be read; shots missing from the cut are logged.
    """
    if not cut_path or not shots:
        return {}
    from shotloop.edit.match import match_shots
    from shotloop.edit.read import read_cut
    from shotloop.edit.shots import shots_from_cut

    cut = read_cut(cut_path, rate=fps)
    report = match_shots(shots_from_cut(cut), list(shots))
    found: dict[int, tuple[str, EditContext]] = {}
    for match in report.matches:
        for index, shot in enumerate(shots):
            if shot is match.plate and index not in found:
                found[index] = (match.cut_shot.name, match.edit)
    for line in report.lines():
        log.info("cut %s: %s", cut.name, line)
    return found


def apply(shots: Sequence[Shot], cut_path: str, fps: float) -> list[tuple[Shot, EditContext | None]]:
    """Each shot with its edit context (renamed after the cut's shot when matched)."""
    contexts = edit_contexts(shots, cut_path, fps)
    out: list[tuple[Shot, EditContext | None]] = []
    for index, shot in enumerate(shots):
        if index in contexts:
            name, edit = contexts[index]
            out.append((replace(shot, name=name), edit))
        else:
            out.append((shot, None))
    return out
