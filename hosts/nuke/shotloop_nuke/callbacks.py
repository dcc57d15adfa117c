"""What version-stack knobs call (knobChanged, and the Approve / Reject / Refresh buttons)."""
from __future__ import annotations

from typing import Any

import nuke

from . import imprint, runtime, stack
from .loaders import VersionStackLoader

_WATCHED_KNOBS = (stack.VERSION, "showPanel")


def stack_knob_changed() -> None:
    """knobChanged for Groups: a stack's version dropdown changed -> container, info, colour."""
    knob = nuke.thisKnob()
    if knob is None or knob.name() not in _WATCHED_KNOBS:
        return
    node = nuke.thisNode()
    if imprint.read_container(node) is None:
        return
    VersionStackLoader().shown_changed(node)


def review_pressed(node: Any, status: str) -> None:
    """Approve / Reject: sent to the agent in the background; the node updates when it answers."""
    if stack.current(node) is None:
        nuke.message("This version stack has no version to review yet.")
        return
    runtime.session().review(node, status, node[stack.NOTE].value())


def refresh_pressed(node: Any) -> None:
    runtime.session().refresh(node)
