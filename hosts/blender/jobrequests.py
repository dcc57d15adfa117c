"""Shots → JobRequests by editorial's rules. Pure values, no bpy: runs on a worker thread.

The cut's context comes from ``shotloop.edit.shots`` run on the VSE cut; the duration is the
cut range plus handles rounded up to what the model offers and the ratio (when "Auto") the
model's ratio closest to the plate, both from ``shotloop.edit.request``.
"""
from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any, Sequence

from shotloop.edit import request as edit_request
from shotloop.edit.read import Cut
from shotloop.edit.shots import shots_from_cut
from shotloop.errors import ShotLoopError
from shotloop.host import ShotSelection
from shotloop.model import EditContext, JobRequest, Recipe
from shotloop.providers import runway_models


def contexts_from_cut(cut: Cut, shot_ids: Sequence[str], *, handles: tuple[int, int] = (8, 8)) -> dict[str, EditContext]:
    """EditContext per shot id (the costly part of collecting, hence off the main thread)."""
    wanted = set(shot_ids)
    return {s.shot.shot_id: s.edit for s in shots_from_cut(cut, handles=handles) if s.shot.shot_id in wanted}


def place(selections: Sequence[ShotSelection], cut: Cut, handles: tuple[int, int]) -> list[ShotSelection]:
    """The selections with their EditContext from the cut."""
    contexts = contexts_from_cut(cut, [s.shot.shot_id for s in selections], handles=handles)
    return [replace(s, edit=contexts.get(s.shot.shot_id, s.edit)) for s in selections]


def _spec(recipe: Recipe) -> Any:
    return runway_models.find(recipe.endpoint.value, recipe.model)


def duration_for(selection: ShotSelection, recipe: Recipe) -> int:
    """Seconds for the shot: the recipe's, or the cut range plus handles rounded up to what
    the model offers (RecipeInvalid when no duration is long enough)."""
    if recipe.duration > 0:
        return recipe.duration
    shot = selection.shot
    frames = shot.frame_range.count + (sum(selection.edit.handles) if selection.edit is not None else 0)
    spec = _spec(recipe)
    return edit_request.duration_for(frames, shot.fps, spec.durations if spec is not None else (),
                                     shot=shot.name, model=recipe.model)


def ratio_for(selection: ShotSelection, recipe: Recipe) -> str:
    """The recipe's ratio, or (auto) the model's ratio closest to the plate's aspect."""
    if recipe.ratio:
        return recipe.ratio
    spec = _spec(recipe)
    return edit_request.ratio_for(selection.shot.resolution, spec.ratios if spec is not None else ())


def requests_for(selections: Sequence[ShotSelection], recipe: Recipe, *, store_root: str,
                 profile: str = "", batch: str = "") -> tuple[list[JobRequest], list[ShotLoopError]]:
    """One request per shot with its own duration and ratio; an error for a shot that cannot fit."""
    batch = batch or uuid.uuid4().hex[:12]
    requests, errors = [], []
    for s in selections:
        try:
            shot_recipe = replace(recipe, duration=duration_for(s, recipe), ratio=ratio_for(s, recipe))
        except ShotLoopError as err:
            errors.append(err)
            continue
        requests.append(JobRequest(shot=s.shot, recipe=shot_recipe, edit=s.edit, profile=profile,
                                   store_root=store_root, batch=batch))
    return requests, errors
