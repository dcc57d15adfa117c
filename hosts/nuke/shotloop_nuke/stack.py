"""The version-stack node: one Group per shot and label that the compositor wires into the comp.

Inside: one Read per version (named ``v003``), a Switch picking the version shown (driven by
the ``version`` dropdown through an expression, so it works with ShotLoop absent), a Switch
picking B (the plate on the group's input, or another version), a difference Merge, and a
Switch picking what leaves the group (A, B, or A/B difference). Knobs on the group show the
version, its review status, seed and model, and offer approve / reject with a note.
Colours: green = latest, orange = outdated, blue = approved, red = rejected.
"""
from __future__ import annotations

import re
from typing import Any

import nuke

from shotloop.host import VersionRef

from . import colour, imprint

LATEST = 0x4ECD25FF
OUTDATED = 0xD84F20FF
APPROVED = 0x2F7FE0FF
REJECTED = 0xB03030FF

VERSION = "sl_version"
B_SOURCE = "sl_b"
VIEW = "sl_view"
INFO = "sl_info"
NOTE = "sl_note"
FOLLOW = "sl_follow"
PLATE_ITEM = "plate (input B)"
VIEWS = ["A: version", "B", "A/B difference"]
_CALLBACKS = "__import__('shotloop_nuke.callbacks', fromlist=['x'])"


def _button(name: str, label: str, call: str) -> Any:
    knob = nuke.PyScript_Knob(name, label, f"{_CALLBACKS}.{call}")
    return knob


def create(shot: str, label: str, group: Any = None) -> Any:
    """An empty stack for ``shot``/``label`` in ``group`` (the Root by default)."""
    parent = group if group is not None else nuke.root()
    with parent:
        stack = nuke.nodes.Group()
    stack.setName(node_name(shot, label))
    stack.addKnob(nuke.Tab_Knob("shotloop_tab", "ShotLoop"))
    stack.addKnob(nuke.Text_Knob("sl_title", "", f"{shot} / {label}"))
    stack.addKnob(nuke.Enumeration_Knob(VERSION, "version", []))
    stack.addKnob(nuke.Text_Knob(INFO, "", "no version yet"))
    follow = nuke.Boolean_Knob(FOLLOW, "follow latest", True)
    follow.setTooltip("Show each new version as it lands")
    stack.addKnob(follow)
    stack.addKnob(nuke.Enumeration_Knob(VIEW, "view", VIEWS))
    stack.addKnob(nuke.Enumeration_Knob(B_SOURCE, "B", [PLATE_ITEM]))
    stack.addKnob(nuke.String_Knob(NOTE, "note"))
    stack.addKnob(_button("sl_approve", "Approve", "review_pressed(nuke.thisNode(), 'approved')"))
    stack.addKnob(_button("sl_reject", "Reject", "review_pressed(nuke.thisNode(), 'rejected')"))
    stack.addKnob(_button("sl_refresh", "Refresh", "refresh_pressed(nuke.thisNode())"))
    with stack:
        plate = nuke.nodes.Input(name="B")
        a = nuke.nodes.Switch(name="A")
        b = nuke.nodes.Switch(name="Bsel", inputs=[plate])
        diff = nuke.nodes.Merge2(name="Diff", inputs=[b, a])
        diff["operation"].setValue("difference")
        view = nuke.nodes.Switch(name="View", inputs=[a, b, diff])
        nuke.nodes.Output(inputs=[view])
        a["which"].setExpression(f"parent.{VERSION}")
        b["which"].setExpression(f"parent.{B_SOURCE}")
        view["which"].setExpression(f"parent.{VIEW}")
    return stack


def _inner(stack: Any, name: str) -> Any:
    return stack.node(name)


def node_name(shot: str, label: str) -> str:
    return "SL_" + re.sub(r"[^A-Za-z0-9_]", "_", f"{shot}_{label}")


def version_reads(stack: Any) -> dict[int, Any]:
    found = {}
    for node in stack.nodes():
        if node.Class() != "Read":
            continue
        take = imprint.read_json(node, imprint.TAKE_KEY)
        if take and "number" in take:
            found[int(take["number"])] = node
    return dict(sorted(found.items()))


def numbers(stack: Any) -> list[int]:
    return list(version_reads(stack))


def add_version(stack: Any, ref: VersionRef, colorspace: str = "") -> Any:
    """The Read for ``ref`` (created once; its file and range refreshed if it exists)."""
    reads = version_reads(stack)
    read = reads.get(ref.number)
    if read is None:
        with stack:
            read = nuke.nodes.Read()
        read.setName(f"v{ref.number:03d}")
        read.setXYpos(110 * len(reads), -200)
        imprint.write_json(read, imprint.TAKE_KEY, {"number": ref.number, "review": "pending"})
    if read["file"].toScript() != ref.frames:
        read["file"].setValue(ref.frames)  # plain setValue: the range knobs are set explicitly below
    for name, value in (("origfirst", ref.first), ("first", ref.first), ("origlast", ref.last), ("last", ref.last)):
        if int(read[name].value()) != value:
            read[name].setValue(value)
    if colorspace:
        item = colour.colorspace_item(read["colorspace"], colorspace)
        if item is not None and read["colorspace"].value() != item:
            read["colorspace"].setValue(item)
    rewire(stack)
    return read


def take(stack: Any, number: int) -> dict[str, Any]:
    read = version_reads(stack).get(number)
    return (imprint.read_json(read, imprint.TAKE_KEY) or {}) if read is not None else {}


def set_take(stack: Any, number: int, **info: Any) -> None:
    read = version_reads(stack).get(number)
    if read is None:
        return
    data = imprint.read_json(read, imprint.TAKE_KEY) or {"number": number}
    data.update({k: v for k, v in info.items() if v is not None})
    imprint.write_json(read, imprint.TAKE_KEY, data)


def rewire(stack: Any) -> None:
    """Connect the Reads to the switches in version order and refresh both dropdowns."""
    reads = version_reads(stack)
    ordered = list(reads.values())
    names = [f"v{n:03d}" for n in reads]
    a, b = _inner(stack, "A"), _inner(stack, "Bsel")
    plate = _inner(stack, "B")
    for index, read in enumerate(ordered):
        if a.input(index) is not read:
            a.setInput(index, read)
        if b.input(index + 1) is not read:
            b.setInput(index + 1, read)
    for index in range(len(ordered), a.inputs()):
        a.setInput(index, None)
    for index in range(len(ordered) + 1, b.inputs()):
        b.setInput(index, None)
    if b.input(0) is not plate:
        b.setInput(0, plate)
    _set_items(stack[VERSION], names)
    _set_items(stack[B_SOURCE], [PLATE_ITEM, *names])


def _set_items(knob: Any, items: list[str]) -> None:
    if list(knob.values()) == items:
        return
    current = knob.value()
    knob.setValues(items)
    if current in items:
        knob.setValue(current)


def current(stack: Any) -> int | None:
    value = stack[VERSION].value()
    return int(value[1:]) if value.startswith("v") and value[1:].isdigit() else None


def select(stack: Any, number: int) -> None:
    name = f"v{number:03d}"
    if stack[VERSION].value() != name:
        stack[VERSION].setValue(name)


def colour_for(number: int, latest: int, review: str) -> int:
    if review == "approved":
        return APPROVED
    if review == "rejected":
        return REJECTED
    return LATEST if number == latest else OUTDATED


def refresh_look(stack: Any) -> None:
    """Info text, labels and colours from the takes (no agent call)."""
    reads = version_reads(stack)
    shown = current(stack)
    latest = max(reads) if reads else 0
    for number, read in reads.items():
        info = imprint.read_json(read, imprint.TAKE_KEY) or {}
        review = str(info.get("review", "pending"))
        _set(read, "tile_color", colour_for(number, latest, review))
        _set(read, "label", _take_line(info, review))
    if shown is None or shown not in reads:
        _set(stack, "tile_color", 0)
        stack[INFO].setValue("no version yet" if not reads else "choose a version")
        return
    info = take(stack, shown)
    review = str(info.get("review", "pending"))
    position = list(reads).index(shown) + 1
    state = "latest" if shown == latest else f"outdated: v{latest:03d} is newer"
    text = f"v{shown:03d} ({position} of {len(reads)}) · {review} · {_take_line(info, review)} · {state}"
    if info.get("note"):
        text += f"\nnote: {info['note']}"
    stack[INFO].setValue(text)
    _set(stack, "tile_color", colour_for(shown, latest, review))
    _set(stack, "label", f"v{shown:03d} {review}")


def _take_line(info: dict[str, Any], review: str) -> str:
    parts = []
    if "seed" in info:
        parts.append(f"seed {info['seed']}")
    if info.get("model"):
        parts.append(str(info["model"]))
    return " · ".join(parts) or review


def _set(node: Any, name: str, value: Any) -> None:
    if node[name].value() != value:
        node[name].setValue(value)
