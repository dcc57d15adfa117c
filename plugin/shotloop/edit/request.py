"""Build the generation request for a shot from its edit context.

- duration: the cut range plus handles, in seconds, rounded UP to a duration the model
  offers (the extra frames are trimmed on ingest);
- ratio: the offered ratio closest in aspect to the plate;
- prompt: a template filled with safe keys, marker notes among them;
- continuity keyframes: the neighbouring shots' approved versions (last frame of the
  shot before, first frame of the shot after);
- context: the edit context and the OTIO snippet, JSON-ready. Services that accept it get
  it with the request; for Runway it is recorded in provenance.

Model limits come in as arguments (e.g. ``runway_models.find(endpoint, model).durations``)
so this module knows no provider.
"""
from __future__ import annotations

import math
import string
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from .. import sequence
from ..codec import to_data
from ..errors import EditInvalid, RecipeInvalid
from ..model import EditContext, JobRequest, Recipe, ReviewStatus, Resolution, Shot, Version
from ..providers import runway_models
from .read import Cut, read_cut
from .shots import DEFAULT_HANDLES, CutShot, shots_from_cut

__all__ = [
    "ContinuityKeyframe",
    "EditRequest",
    "PROMPT_KEYS",
    "build_request",
    "duration_for",
    "ratio_for",
    "format_prompt",
    "prompt_values",
    "continuity_keyframes",
    "context_payload",
    "frame_path",
    "shot_with_handles",
    "requests_for_cut",
]

PROMPT_KEYS = ("prompt", "markers", "shot", "clip", "track", "timeline", "reel",
               "before", "after", "neighbours", "seconds", "frames")
_EPSILON = 1e-6


@dataclass(frozen=True)
class ContinuityKeyframe:
    """A frame of a neighbour's approved version to keep the cut continuous."""

    side: str  # "before" (its last frame) | "after" (its first frame)
    shot: str
    version: str
    frame: int
    path: str


@dataclass(frozen=True)
class EditRequest:
    """What to send for one shot: the recipe with duration, ratio and prompt decided."""

    shot: Shot
    recipe: Recipe
    frames_needed: int  # cut range + handles, at the shot's rate
    seconds_needed: float
    trim_frames: int  # generated beyond what is needed; trimmed on ingest
    keyframes: tuple[ContinuityKeyframe, ...] = ()
    context: Mapping[str, Any] = field(default_factory=dict)


def duration_for(frames: int, rate: float, allowed: Sequence[int], *, shot: str = "",
                 model: str = "") -> int:
    """Whole seconds to ask for: the smallest allowed duration covering ``frames``.

    An empty ``allowed`` means the model follows its input (video to video): the length
    is rounded up to whole seconds.
    """
    seconds = frames / rate
    needed = math.ceil(seconds - _EPSILON)
    if not allowed:
        return max(needed, 1)
    fitting = sorted(d for d in allowed if d >= seconds - _EPSILON)
    if not fitting:
        raise RecipeInvalid(
            f"needs {seconds:.2f} s ({frames} frames with handles) but {model or 'the model'} "
            f"makes at most {max(allowed)} s", shot=shot or None, field="recipe.duration",
            fix="split the shot in editorial, lower the handles, or choose a model with longer takes")
    return fitting[0]


def ratio_for(resolution: Resolution, allowed: Sequence[str]) -> str:
    """The allowed ``"W:H"`` ratio closest in aspect to ``resolution`` (log distance)."""
    if not allowed:
        return f"{resolution.width}:{resolution.height}"
    aspect = resolution.width / resolution.height

    def distance(ratio: str) -> float:
        w, _, h = ratio.partition(":")
        return abs(math.log((float(w) / float(h)) / aspect))

    return min(allowed, key=distance)


def format_prompt(template: str, values: Mapping[str, str]) -> str:
    """Fill ``{key}`` fields from ``values``; anything else stays literally as written.

    No attribute or index access and no format specs are evaluated (``{prompt.__class__}``
    and ``{x[0]}`` are left as text), so a template from a settings file is harmless.
    """
    out: list[str] = []
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:  # unbalanced braces: use the text as it is
        return template
    for literal, name, spec, conversion in parsed:
        out.append(literal)
        if name is None:
            continue
        if name in values and not spec and not conversion:
            out.append(str(values[name]))
        else:
            out.append("{" + name + (f"!{conversion}" if conversion else "")
                       + (f":{spec}" if spec else "") + "}")
    return "".join(out)


def prompt_values(prompt: str, shot: Shot, edit: EditContext | None) -> dict[str, str]:
    """The safe keys a prompt template may use (see ``PROMPT_KEYS``)."""
    values = {key: "" for key in PROMPT_KEYS}
    values.update(prompt=prompt, shot=shot.name)
    if edit is None:
        return values
    notes = [m.note or m.name for m in edit.markers if (m.note or m.name)]
    before = [n.name for n in edit.neighbours if n.side == "before"]
    after = [n.name for n in edit.neighbours if n.side == "after"]
    count = edit.source_range.count + sum(edit.handles)
    values.update(
        markers="; ".join(notes), clip=edit.clip, track=edit.track, timeline=edit.timeline,
        reel=edit.reel, before=", ".join(before), after=", ".join(after),
        neighbours=", ".join(before + after), frames=str(count),
        seconds=f"{count / edit.rate:.2f}",
    )
    return values


def continuity_keyframes(
    edit: EditContext,
    versions: Mapping[str, Sequence[Version]] | Callable[[str], Iterable[Version]],
    sides: Sequence[str] = ("before", "after"),
) -> tuple[ContinuityKeyframe, ...]:
    """Last frame of the approved version of the shot before, first of the shot after."""
    lookup = versions if callable(versions) else (lambda name: versions.get(name, ()))
    found: list[ContinuityKeyframe] = []
    for neighbour in edit.neighbours:
        if neighbour.side not in sides:
            continue
        approved = [v for v in lookup(neighbour.name) if v.review == ReviewStatus.APPROVED]
        if not approved:
            continue
        version = max(approved, key=lambda v: (v.created_at, v.number))
        frame = version.frame_range.last if neighbour.side == "before" else version.frame_range.first
        found.append(ContinuityKeyframe(neighbour.side, neighbour.name, version.name, frame,
                                        frame_path(version.frames, frame)))
    return tuple(found)


def frame_path(pattern: str, frame: int) -> str:
    """``/x/a.####.exr`` (or ``%04d``) with the frame number filled in."""
    return str(sequence.frame_path(pattern, frame))


def context_payload(edit: EditContext) -> dict[str, Any]:
    """The edit context as JSON-ready data, the OTIO snippet as its own key."""
    data = to_data(edit)
    snippet = data.pop("otio_snippet", "")
    return {"schema": "shotloop.edit_context/1", "edit": data, "otio": snippet}


def build_request(
    shot: Shot,
    edit: EditContext | None,
    recipe: Recipe,
    *,
    durations: Sequence[int],
    ratios: Sequence[str] = (),
    template: str = "{prompt}",
    neighbour_versions: Mapping[str, Sequence[Version]] | Callable[[str], Iterable[Version]] | None = None,
    prompt_max: int | None = None,
) -> EditRequest:
    """The request for ``shot`` (see module doc). Without an edit context the shot's own
    frame range is used and no context is attached."""
    rate = edit.rate if edit is not None else shot.fps
    frames = (edit.source_range.count + sum(edit.handles)) if edit is not None else shot.frame_range.count
    duration = duration_for(frames, rate, durations, shot=shot.name, model=recipe.model)
    prompt = format_prompt(template, prompt_values(recipe.prompt, shot, edit)).strip()
    if prompt_max is not None and len(prompt.encode("utf-16-le")) // 2 > prompt_max:
        raise RecipeInvalid(
            f"prompt is {len(prompt)} characters after the template filled in marker notes; "
            f"the model takes {prompt_max}", shot=shot.name, field="recipe.prompt",
            fix="shorten the prompt or the template (drop {markers})")
    ratio = ratio_for(shot.resolution, ratios) if ratios else recipe.ratio
    keyframes = continuity_keyframes(edit, neighbour_versions) \
        if (edit is not None and neighbour_versions is not None) else ()
    trim = max(0, int(round(duration * rate)) - frames)
    return EditRequest(
        shot=shot,
        recipe=replace(recipe, duration=duration, ratio=ratio, prompt=prompt),
        frames_needed=frames,
        seconds_needed=frames / rate,
        trim_frames=trim,
        keyframes=keyframes,
        context=context_payload(edit) if edit is not None else {},
    )


def shot_with_handles(cut_shot: CutShot) -> Shot:
    """The shot to generate: the cut range grown by the granted handles."""
    return replace(cut_shot.shot,
                   frame_range=cut_shot.shot.frame_range.grow(*cut_shot.edit.handles))


def requests_for_cut(
    cut: Cut | str | Path,
    *,
    recipe_for: Callable[[Shot], Recipe],
    store_root: str | Path = "",
    prompts: Mapping[str, str] | None = None,
    shots: Iterable[str] | None = None,
    rate: float | None = None,
    handles: int = DEFAULT_HANDLES,
    profile: str = "",
    batch: str = "",
    auto_duration: bool = True,
    neighbour_versions: Mapping[str, Sequence[Version]] | Callable[[str], Iterable[Version]] | None = None,
) -> list[JobRequest]:
    """One ``JobRequest`` per shot of ``cut`` (or of the named ``shots``).

    ``recipe_for(shot)`` gives the recipe for a shot (its frame range includes handles);
    its prompt is used as the template, ``{prompt}`` filled from ``prompts[shot]``.
    Duration (when ``auto_duration``) and ratio (when the plate size is known) follow
    the cut; the model's limits come from ``runway_models``. Continuity keyframes, when
    found, go into ``recipe.options["continuity"]``.
    """
    if not isinstance(cut, Cut):
        cut = read_cut(cut, rate=rate)
    found = shots_from_cut(cut, handles=handles)
    if shots is not None:
        wanted = [s for s in shots if s]
        names = {c.name for c in found}
        unknown = sorted(set(wanted) - names)
        if unknown:
            raise EditInvalid(f"{cut.path.name}: no shot named {unknown}", field="shots",
                              fix=f"choose from {sorted(names)}")
        found = [c for c in found if c.name in set(wanted)]
    requests = []
    for cut_shot in found:
        shot = shot_with_handles(cut_shot)
        recipe = recipe_for(shot)
        spec = runway_models.find(recipe.endpoint.value, recipe.model)
        durations = (spec.durations if spec else ()) if auto_duration else (recipe.duration,)
        built = build_request(
            shot, cut_shot.edit, replace(recipe, prompt=(prompts or {}).get(cut_shot.name, "")),
            durations=durations,
            ratios=(spec.ratios if spec and cut_shot.resolution_known else ()),
            template=recipe.prompt or "{prompt}", neighbour_versions=neighbour_versions,
            prompt_max=spec.prompt_max if spec else None,
        )
        options = dict(built.recipe.options)
        if built.keyframes:
            options["continuity"] = [to_data(k) for k in built.keyframes]
        requests.append(JobRequest(
            shot=shot, recipe=replace(built.recipe, options=options), edit=cut_shot.edit,
            profile=profile, store_root=str(Path(store_root).resolve()) if store_root else "",
            batch=batch or cut.name))
    return requests
