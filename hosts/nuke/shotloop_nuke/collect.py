"""Selected nodes -> shots (main thread; reads knobs only, never touches disk or network).

A Read gives its shot directly: file pattern (``####`` or ``%04d``, TCL and project directory
evaluated), its first/last frames, its colour space, its format, the Root's fps. Any other node
is rendered first (``render.py``) to a scene-linear EXR sequence over its frame range; its shot
is named after the Read it comes from when there is one.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

import nuke

from shotloop.errors import PlateInvalid, ShotLoopError
from shotloop.host import ShotSelection
from shotloop.model import FrameRange, Resolution, Shot

from . import colour, settings

_FRAME_TOKEN = re.compile(r"[._-]?(%0?\d*d|#+|@+)$")
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
NOT_IMAGES = frozenset({"Viewer", "BackdropNode", "StickyNote", "Root", "Preferences"})


@dataclass
class Collected:
    selections: list[ShotSelection] = field(default_factory=list)
    errors: list[ShotLoopError] = field(default_factory=list)


def shot_name_for(path: str) -> str:
    """``/plates/sh010/sh010_plate.####.exr`` -> ``sh010_plate`` (file stem before the frame)."""
    stem = os.path.basename(path)
    stem, _ = os.path.splitext(stem)
    stem = _FRAME_TOKEN.sub("", stem)
    return safe_name(stem.strip("._-") or "shot")


def safe_name(text: str) -> str:
    return _UNSAFE.sub("_", text).strip("_") or "shot"


def read_source(read: Any) -> str:
    """The Read's file, TCL evaluated, relative paths against the project directory."""
    path = nuke.filename(read) or ""
    return settings.absolute(path)


def shot_from_read(read: Any, fps: float, col: colour.ColourSettings) -> Shot:
    source = read_source(read)
    name = read.fullName()
    if not source:
        raise PlateInvalid(f"Read {name} has no file", shot=name, field="file",
                           fix="point the Read at a plate, or deselect it")
    first, last = int(read["first"].value()), int(read["last"].value())
    if last < first:
        raise PlateInvalid(f"Read {name} ends ({last}) before it starts ({first})", shot=name,
                           field="frame_range", fix="fix the Read's frame range")
    fmt = read.format()
    return Shot(
        name=shot_name_for(source),
        source=source,
        frame_range=FrameRange(first, last),
        fps=fps,
        resolution=Resolution(int(fmt.width()), int(fmt.height())),
        colorspace=colour.read_colorspace(read, source, col),
        ocio_config=col.config_path if col.config == "custom" else "",
    )


def upstream_read(node: Any) -> Any:
    """The nearest Read feeding ``node`` (input 0 first, breadth first), or None."""
    queue, seen = [node], set()
    while queue:
        current = queue.pop(0)
        if current.fullName() in seen:
            continue
        seen.add(current.fullName())
        if current.Class() == "Read":
            return current
        queue.extend(current.dependencies(nuke.INPUTS))
    return None


def render_pattern(render_root: str, shot: str, node: Any, tag: str) -> str:
    folder = os.path.join(render_root, "_renders", shot, f"{safe_name(node.name())}_{tag}")
    return os.path.join(folder, f"{shot}.####.exr").replace("\\", "/")


def shot_for_render(node: Any, fps: float, col: colour.ColourSettings, render_root: str, tag: str) -> Shot:
    source_read = upstream_read(node)
    if source_read is not None and read_source(source_read):
        name = shot_name_for(read_source(source_read))
    else:
        name = safe_name(node.name())
    first, last = int(node.firstFrame()), int(node.lastFrame())
    fmt = node.format()
    return Shot(
        name=name,
        source=render_pattern(render_root, name, node, tag),
        frame_range=FrameRange(first, last),
        fps=fps,
        resolution=Resolution(int(fmt.width()), int(fmt.height())),
        colorspace=colour.working_space(col),
        ocio_config=col.config_path if col.config == "custom" else "",
    )


def collect(nodes: Iterable[Any], render_root: str, tag: str) -> Collected:
    """One ShotSelection per usable node; problems per node, so one bad node stops nothing."""
    out = Collected()
    fps = float(nuke.root()["fps"].value())
    col = colour.settings()
    for node in nodes:
        try:
            if node.Class() == "Read":
                shot = shot_from_read(node, fps, col)
                out.selections.append(ShotSelection(node_id=node.fullName(), shot=shot))
            elif node.Class() not in NOT_IMAGES:
                shot = shot_for_render(node, fps, col, render_root, tag)
                out.selections.append(ShotSelection(node_id=node.fullName(), shot=shot, needs_render=True))
        except ShotLoopError as err:
            out.errors.append(err)
    return out
