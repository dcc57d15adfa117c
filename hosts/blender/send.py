"""Send: the recipe from the panel, the selected strips as shots, one batch to the agent.

``send_selected`` is the single entry (operator, tests, benchmark). Collecting reads the
scene on the main thread; validation and submission run on the client's worker thread
through the core send pass when it is available (``shotloop.publish.send``), otherwise
straight through ``AgentAPI.submit`` (the agent validates again either way).
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Sequence

import bpy

from shotloop.client import AgentAPI, AgentClient
from shotloop.edit import request as edit_request
from shotloop.errors import SettingsInvalid, ShotLoopError
from shotloop.host import ShotSelection
from shotloop.model import Endpoint, Job, JobRequest, KeyframeMode, Recipe
from shotloop.providers import runway_models

from . import collect, timeline
from .properties import AUTO
from .host import BlenderHost

log = logging.getLogger(__name__)

Results = list  # list[Job | ShotLoopError], in request order


def recipe_from_props(props: Any) -> Recipe:
    """The panel's recipe; ``duration`` 0 means "from each strip's range"."""
    ratio = "" if props.ratio in ("", AUTO) else props.ratio
    return Recipe(model=props.model, prompt=props.prompt, endpoint=Endpoint(props.endpoint),
                  keyframes=KeyframeMode(props.keyframes), seed=int(props.seed), ratio=ratio,
                  duration=int(props.duration), label=props.label.strip() or "gen")


def _spec(recipe: Recipe) -> runway_models.ModelSpec | None:
    return runway_models.find(recipe.endpoint.value, recipe.model)


def duration_for(selection: ShotSelection, recipe: Recipe) -> int:
    """Seconds for the shot: the recipe's, or the cut range plus handles rounded up to what
    the model offers (editorial's rule, ``shotloop.edit.request``; RecipeInvalid if too long)."""
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


def store_root_for(scene: Any) -> str:
    """The scene's version store, or a ``shotloop`` folder beside the saved .blend."""
    props = scene.shotloop
    if props.store_root:
        return str(Path(bpy.path.abspath(props.store_root)).resolve())
    if bpy.data.filepath:
        return str(Path(bpy.data.filepath).resolve().parent / "shotloop")
    raise SettingsInvalid("the .blend is not saved, so there is no folder for its versions",
                          field="store_root", fix="save the .blend, or set a version store in the ShotLoop panel")


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


def submit(api: AgentAPI, requests: Sequence[JobRequest], profile: str = "") -> Results:
    """Worker thread: the core send pass when present (validate, then submit), else submit."""
    try:
        from shotloop.publish.send import send as send_pass
    except ImportError:  # a core without the send pass (or pyblish): the agent validates
        return list(api.submit(list(requests)))
    return list(send_pass(list(requests), api, profile=profile))


def send_selected(host: BlenderHost, recipe: Recipe, *, client: AgentClient, store_root: str,
                  profile: str = "", on_done: Callable[[Sequence[JobRequest], Results], None] | None = None,
                  ) -> collect.Collected:
    """Collect the selected strips and submit them without waiting.

    The main thread only reads the strips and builds the cut; the editorial rules (edit
    contexts, durations, ratios), validation and submission run on the client's worker.
    Returns what was collected at once; ``on_done(requests, results)`` runs on the main
    thread with a Job or a ShotLoopError per shot (duration problems included).
    """
    found = host.collect(edit=False)
    if not found.selections:
        return found
    selections, cut, handles = list(found.selections), found.cut, found.handles

    def work(api: AgentAPI) -> tuple[list[JobRequest], Results]:
        contexts = timeline.contexts_from_cut(cut, [s.shot.shot_id for s in selections], handles=handles)
        placed = [replace(s, edit=contexts.get(s.shot.shot_id)) for s in selections]
        requests, errors = requests_for(placed, recipe, store_root=store_root, profile=profile)
        results = submit(api, requests, profile) if requests else []
        return requests, [*results, *errors]

    def done(outcome: tuple[list[JobRequest], Results]) -> None:
        if on_done is not None:
            on_done(*outcome)

    client.call(work, done)
    return found


def jobs_of(results: Results) -> list[Job]:
    return [r for r in results if isinstance(r, Job)]
