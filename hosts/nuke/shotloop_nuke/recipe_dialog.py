"""A small modal form for the recipe (GUI, from the "Send selected" menu command)."""
from __future__ import annotations

from typing import Any

import nuke
import nukescripts

from shotloop.model import Endpoint, KeyframeMode, Recipe
from shotloop.providers import runway_models

DEFAULT_MODEL = "gen4_turbo"


def _panel_base() -> Any:
    return nukescripts.PythonPanel  # GUI only: absent from nukescripts under nuke -t


def ask_recipe(previous: Recipe | None = None) -> Recipe | None:
    """Show the form; the Recipe, or None when the user cancels."""
    previous = previous or Recipe(model=DEFAULT_MODEL)
    panel = _panel_base()("ShotLoop: send selected", "uk.shotloop.recipe")
    models = list(runway_models.models_for(Endpoint.IMAGE_TO_VIDEO.value)) or [DEFAULT_MODEL]
    model = nuke.Enumeration_Knob("model", "model", models)
    if previous.model in models:
        model.setValue(previous.model)
    prompt = nuke.Multiline_Eval_String_Knob("prompt", "prompt")
    prompt.setValue(previous.prompt)
    keyframes = nuke.Enumeration_Knob("keyframes", "keyframes", [m.value for m in KeyframeMode])
    keyframes.setValue(previous.keyframes.value)
    seed = nuke.Int_Knob("seed", "seed")
    seed.setValue(int(previous.seed))
    duration = nuke.Int_Knob("duration", "seconds")
    duration.setValue(int(previous.duration))
    ratio = nuke.String_Knob("ratio", "ratio", previous.ratio)
    label = nuke.String_Knob("label", "label", previous.label)
    for knob in (model, prompt, keyframes, seed, duration, ratio, label):
        panel.addKnob(knob)
    if not panel.showModalDialog():
        return None
    return Recipe(model=model.value(), prompt=prompt.value(), endpoint=Endpoint.IMAGE_TO_VIDEO,
                  keyframes=KeyframeMode(keyframes.value()), seed=int(seed.value()),
                  ratio=ratio.value().strip(), duration=int(duration.value()),
                  label=label.value().strip() or "gen")
