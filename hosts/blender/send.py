"""Send: the recipe from the panel, the selected strips as shots, one batch to the agent.

``send_selected`` is the single entry (operator, tests, benchmark). The main thread only
reads the strips and builds the VSE cut; the send pass (``CollectBlenderShots`` then the
core's validate and submit plugins, ``shotloop.publish.send``) runs on the client's worker.
"""
from __future__ import annotations

import logging
import uuid
from pathlib import Path
from typing import Any, Callable, Sequence

import bpy

from shotloop.client import AgentAPI, AgentClient
from shotloop.errors import SettingsInvalid, ShotLoopError
from shotloop.host import ShotSelection
from shotloop.model import Endpoint, JobRequest, KeyframeMode, Recipe

from . import collect, jobrequests
from .host import BlenderHost
from .properties import AUTO

log = logging.getLogger(__name__)

Results = list  # list[Job | ShotLoopError], in request order


def recipe_from_props(props: Any) -> Recipe:
    """The panel's recipe; ``duration`` 0 means "from each strip's range"."""
    ratio = "" if props.ratio in ("", AUTO) else props.ratio
    return Recipe(model=props.model, prompt=props.prompt, endpoint=Endpoint(props.endpoint),
                  keyframes=KeyframeMode(props.keyframes), seed=int(props.seed), ratio=ratio,
                  duration=int(props.duration), label=props.label.strip() or "gen")


def store_root_for(scene: Any) -> str:
    """The scene's version store, or a ``shotloop`` folder beside the saved .blend."""
    props = scene.shotloop
    if props.store_root:
        return str(Path(bpy.path.abspath(props.store_root)).resolve())
    if bpy.data.filepath:
        return str(Path(bpy.data.filepath).resolve().parent / "shotloop")
    raise SettingsInvalid("the .blend is not saved, so there is no folder for its versions",
                          field="store_root", fix="save the .blend, or set a version store in the ShotLoop panel")


def submit(api: AgentAPI, cut: Any, selections: Sequence[ShotSelection], recipe: Recipe, *,
           store_root: str, profile: str = "", handles: tuple[int, int] = (8, 8)) -> tuple[list[JobRequest], Results]:
    """Worker thread: the send pass, Blender's collector in front of the core's validate and
    submit plugins. Returns the requests made and a Job or a ShotLoopError per shot.

    Without the core's pass (a core built without pyblish) the same requests go straight to
    the agent, which validates them again anyway."""
    batch = uuid.uuid4().hex[:12]
    try:
        from shotloop.publish.run import ValidationFailed
        from shotloop.publish.send import send as send_pass

        from .publish.collect_blender_shots import CollectBlenderShots
    except ImportError:
        placed = jobrequests.place(selections, cut, handles)
        requests, errors = jobrequests.requests_for(placed, recipe, store_root=store_root, profile=profile,
                                                    batch=batch)
        return requests, [*(api.submit(requests) if requests else []), *errors]
    made: list[JobRequest] = []
    errors: list[ShotLoopError] = []
    try:
        results = send_pass([], api, profile=profile, collectors=[CollectBlenderShots],
                            blender_selections=list(selections), blender_cut=cut, handles=handles,
                            recipe=recipe, store_root=store_root, batch=batch,
                            blender_requests=made, collect_errors=errors)
    except ValidationFailed as err:
        raise ValidationFailed([*errors, *err.errors]) from None
    return made, [*results, *errors]


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
        return submit(api, cut, selections, recipe, store_root=store_root, profile=profile, handles=handles)

    def done(outcome: tuple[list[JobRequest], Results]) -> None:
        if on_done is not None:
            on_done(*outcome)

    client.call(work, done)
    return found
