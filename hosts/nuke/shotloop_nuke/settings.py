"""ShotLoop's per-script settings and state, kept on the Root node.

Visible on a "ShotLoop" tab of the Project Settings: the linked OTIO cut and the version
store folder. Hidden: ``shotloop_state``, the last event-feed position the script has seen
and the jobs it is waiting for (ids only), so jobs that land while the script is closed are
loaded when it is opened again. Knobs are added on first use, never at script load, so
scripts that never use ShotLoop stay untouched. No key or token is ever written here.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import nuke

from . import imprint

TAB = "shotloop_tab"
CUT = "shotloop_cut"
STORE = "shotloop_store"
STATE = "shotloop_state"
STATE_SCHEMA = "shotloop.nuke_script/1"


@dataclass
class ScriptState:
    """What the script remembers between sessions (plain ids and numbers)."""

    seq: int = 0
    jobs: dict[str, dict[str, str]] = field(default_factory=dict)  # job_id -> shot, label, source

    def to_dict(self) -> dict[str, Any]:
        return {"schema": STATE_SCHEMA, "seq": self.seq, "jobs": self.jobs}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "ScriptState":
        if not data or data.get("schema") != STATE_SCHEMA:
            return cls()
        jobs = {str(k): {kk: str(vv) for kk, vv in v.items()} for k, v in dict(data.get("jobs", {})).items()
                if isinstance(v, dict)}
        return cls(seq=int(data.get("seq", 0)), jobs=jobs)


def ensure_knobs() -> None:
    """Add the ShotLoop tab to the Root (once)."""
    root = nuke.root()
    if root.knob(TAB) is not None:
        return
    root.addKnob(nuke.Tab_Knob(TAB, "ShotLoop"))
    cut = nuke.File_Knob(CUT, "OTIO cut")
    cut.setTooltip("The edit this script belongs to (.otio, .otioz, .edl, .xml): it gives each "
                   "shot sent from here its place in the cut.")
    root.addKnob(cut)
    store = nuke.File_Knob(STORE, "version store")
    store.setTooltip("Where versions are published. Empty: a shotloop/ folder beside the script.")
    root.addKnob(store)


def _evaluated(name: str) -> str:
    knob = nuke.root().knob(name)
    if knob is None or not knob.value():
        return ""
    return _absolute(knob.getValue())


def _absolute(path: str) -> str:
    if not path or os.path.isabs(path):
        return path
    project = nuke.root()["project_directory"].evaluate() or nuke.script_directory()
    return os.path.normpath(os.path.join(project, path)) if project else path


def cut_path() -> str:
    return _evaluated(CUT)


def set_cut_path(path: str) -> None:
    ensure_knobs()
    nuke.root()[CUT].setValue(path)


def store_root() -> str:
    """The version store: the Root setting, else ``shotloop/`` beside the saved script, else ''
    (the agent's default) for a script never saved."""
    explicit = _evaluated(STORE)
    if explicit:
        return explicit
    folder = nuke.script_directory()
    return os.path.join(folder, "shotloop") if folder else ""


def set_store_root(path: str) -> None:
    ensure_knobs()
    nuke.root()[STORE].setValue(path)


def absolute(path: str) -> str:
    """A path from a knob, made absolute against the project directory (TCL evaluated)."""
    return _absolute(path)


def read_state() -> ScriptState:
    return ScriptState.from_dict(imprint.read_json(nuke.root(), STATE))


def write_state(state: ScriptState) -> None:
    ensure_knobs()
    imprint.write_json(nuke.root(), STATE, state.to_dict())
