"""Hidden JSON knobs: the container on a version stack, ShotLoop's state on the Root.

One invisible ``String_Knob`` per kind of data, added only when absent, holding plain JSON
(ids and small values only: never keys, tokens or signed URLs). Reading never raises on a
damaged value: it returns None and the caller treats the node as not ShotLoop's.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import nuke

from shotloop.host import IMPRINT_KEY, Container

log = logging.getLogger(__name__)

TAKE_KEY = "shotloop_take"  # on each version Read inside a stack: number, review, seed, model


def read_json(node: Any, key: str) -> dict[str, Any] | None:
    knob = node.knob(key)
    if knob is None:
        return None
    text = knob.value()
    if not text:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        log.warning("%s.%s does not hold JSON; ignored", node.fullName(), key)
        return None
    return data if isinstance(data, dict) else None


def write_json(node: Any, key: str, data: dict[str, Any]) -> None:
    _write_hidden(node, key, json.dumps(data, sort_keys=True))


def _write_hidden(node: Any, key: str, text: str) -> None:
    """Set an invisible String_Knob (made on first use); untouched when unchanged."""
    knob = node.knob(key)
    if knob is None:
        knob = nuke.String_Knob(key, "")
        knob.setFlag(nuke.INVISIBLE)
        node.addKnob(knob)
    if knob.value() != text:
        knob.setValue(text)


def read_container(node: Any) -> Container | None:
    knob = node.knob(IMPRINT_KEY)
    if knob is None or not knob.value():
        return None
    try:
        return Container.from_json(knob.value())
    except (ValueError, KeyError, TypeError):
        log.warning("%s carries a damaged ShotLoop container; ignored", node.fullName())
        return None


def write_container(node: Any, container: Container) -> None:
    _write_hidden(node, IMPRINT_KEY, container.to_json())


def container_nodes() -> list[tuple[Any, Container]]:
    """Every node of the script carrying a container, with it (re-read every call)."""
    found = []
    for node in nuke.allNodes(group=nuke.root(), recurseGroups=True):
        container = read_container(node)
        if container is not None:
            found.append((node, container))
    return found
