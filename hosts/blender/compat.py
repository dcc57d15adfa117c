"""What differs between Blender 4.2 LTS and 5.0, in one place.

4.2 names strips ``Sequence`` and keeps them in ``sequences``/``sequences_all``; 4.4 adds
``strips``/``strips_all``; 5.0 removes the old names and edits ``workspace.sequencer_scene``
instead of the window's scene. Every other module goes through these helpers.
"""
from __future__ import annotations

from fractions import Fraction
from typing import Any, Iterable, Iterator

import bpy

MEDIA_TYPES = frozenset({"MOVIE", "IMAGE"})


def strip_type() -> type:
    """``bpy.types.Strip`` (4.4+) or ``bpy.types.Sequence`` (4.2)."""
    return getattr(bpy.types, "Strip", None) or bpy.types.Sequence


def edit_scene(context: Any = None) -> Any:
    """The scene the Sequencer shows: ``sequencer_scene`` in 5.0, the window scene before."""
    context = context or bpy.context
    return getattr(context, "sequencer_scene", None) or context.scene


def ensure_sequencer_scene(scene: Any, context: Any = None) -> None:
    """Make ``scene`` the workspace's Sequencer scene when none is set (5.0; no-op before)."""
    context = context or bpy.context
    workspace = getattr(context, "workspace", None)
    if workspace is not None and hasattr(workspace, "sequencer_scene") and workspace.sequencer_scene is None:
        workspace.sequencer_scene = scene


def all_strips(editor: Any) -> Any:
    """Every strip, metas included (``strips_all`` / ``sequences_all``)."""
    return editor.strips_all if hasattr(editor, "strips_all") else editor.sequences_all


def top_strips(editor: Any) -> Any:
    """The top level collection that has ``new_movie``/``new_image``/``remove``."""
    return editor.strips if hasattr(editor, "strips") else editor.sequences


def siblings(strip: Any, editor: Any) -> Any:
    """The collection a strip lives in (its meta's strips, or the top level)."""
    meta = strip.parent_meta() if hasattr(strip, "parent_meta") else None
    if meta is not None:
        return meta.strips if hasattr(meta, "strips") else meta.sequences
    return top_strips(editor)


def iter_strips(scene: Any) -> Iterator[Any]:
    editor = scene.sequence_editor
    if editor is None:
        return iter(())
    return iter(list(all_strips(editor)))


def selected_strips(scene: Any) -> list[Any]:
    """Selected strips of ``scene`` read from the data (works without a Sequencer area)."""
    return [s for s in iter_strips(scene) if s.select]


def find_strip(scene: Any, name: str) -> Any:
    editor = scene.sequence_editor
    return all_strips(editor).get(name) if editor is not None and name else None


def scene_rate(render: Any) -> Fraction:
    """The exact scene rate; snaps the float32 NTSC bases to n*1000/1001."""
    rate = render.fps / render.fps_base
    for num in (24000, 30000, 48000, 60000, 120000):
        if abs(rate - num / 1001) < 1e-4:
            return Fraction(num, 1001)
    return Fraction(render.fps) / Fraction(render.fps_base).limit_denominator(1001)


def sequencer_areas() -> Iterable[Any]:
    wm = bpy.context.window_manager
    for window in getattr(wm, "windows", ()):
        for area in window.screen.areas:
            if area.type == "SEQUENCE_EDITOR":
                yield area


def redraw_sequencer() -> None:
    """Data changed from a timer does not repaint by itself."""
    for area in sequencer_areas():
        area.tag_redraw()


def undo_push(message: str) -> None:
    """One named undo step for a scene edit made outside an operator (timer callbacks)."""
    if bpy.ops.ed.undo_push.poll():
        bpy.ops.ed.undo_push(message=message)
