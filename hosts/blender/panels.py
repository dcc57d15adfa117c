"""The Sequencer sidebar (N panel, "ShotLoop" tab): recipe, send, jobs, versions, export.

Drawing only reads the scene (the job list and the strips' imprints); every button is an
operator that returns at once.
"""
from __future__ import annotations

from typing import Any

import bpy

from shotloop.errors import ShotLoopError
from shotloop.host import ShotSelection
from shotloop.model import FrameRange, JobState, Resolution, ReviewStatus, Shot

from . import compat, imprint, jobrequests, runtime, send
from .collect import DEFAULT_HANDLES
from .operators import active_source

_STATE_ICONS = {
    JobState.PUBLISHED.value: "CHECKMARK", JobState.FAILED.value: "ERROR", JobState.CANCELLED.value: "CANCEL",
    JobState.SUBMIT_UNKNOWN.value: "QUESTION", JobState.RUNNING.value: "PLAY", JobState.QUEUED.value: "TIME",
}
_REVIEW_ICONS = {ReviewStatus.APPROVED.value: "CHECKBOX_HLT", ReviewStatus.REJECTED.value: "X",
                 ReviewStatus.PENDING.value: "CHECKBOX_DEHLT"}
_FINAL = {JobState.PUBLISHED.value, JobState.FAILED.value, JobState.CANCELLED.value}


class _SidebarPanel(bpy.types.Panel):
    bl_space_type = "SEQUENCE_EDITOR"
    bl_region_type = "UI"
    bl_category = "ShotLoop"

    @classmethod
    def poll(cls, context: Any) -> bool:
        scene = compat.edit_scene(context)
        return scene is not None and hasattr(scene, "shotloop")


class SHOTLOOP_PT_main(_SidebarPanel):
    bl_label = "ShotLoop"

    def draw(self, context: Any) -> None:
        layout = self.layout
        scene = compat.edit_scene(context)
        props = scene.shotloop
        if runtime.current() is None:
            layout.label(text="ShotLoop is not running", icon="ERROR")
            return
        layout.operator("shotloop.send", icon="EXPORT")
        if props.status:
            layout.label(text=props.status, icon="INFO")
        layout.operator("shotloop.export_otio", icon="FILE")


class SHOTLOOP_PT_recipe(_SidebarPanel):
    bl_label = "Recipe"
    bl_parent_id = "SHOTLOOP_PT_main"

    def draw(self, context: Any) -> None:
        layout = self.layout
        scene = compat.edit_scene(context)
        props = scene.shotloop
        col = layout.column()
        col.prop(props, "endpoint")
        col.prop(props, "model")
        col.prop(props, "prompt")
        col.prop(props, "seed")
        col.prop(props, "ratio")
        col.prop(props, "duration")
        hint = _duration_hint(context, props)
        if hint:
            col.label(text=hint)
        col.prop(props, "keyframes")
        col.prop(props, "label")
        col.prop(props, "profile")
        col.prop(props, "store_root")


def _duration_hint(context: Any, props: Any) -> str:
    """What "0 = from the strip" means for the active strip."""
    found = active_source(context)
    editor = compat.edit_scene(context).sequence_editor
    strip = found[0] if found is not None else (editor.active_strip if editor is not None else None)
    if strip is None or strip.type not in compat.MEDIA_TYPES or props.duration:
        return ""
    scene = compat.edit_scene(context)
    rate = float(compat.scene_rate(scene.render))
    frames = strip.frame_final_duration
    handles = sum(DEFAULT_HANDLES)
    try:
        recipe = send.recipe_from_props(props)
        shot = Shot(strip.name, "", FrameRange(1, frames + handles), rate, Resolution(16, 16))
        seconds = jobrequests.duration_for(ShotSelection(strip.name, shot), recipe)
    except (ValueError, ShotLoopError) as err:
        return str(getattr(err, "problem", err))
    return f"{strip.name}: {frames} frames + handles at {rate:.3f} fps → {seconds} s"


class SHOTLOOP_UL_jobs(bpy.types.UIList):
    def draw_item(self, context: Any, layout: Any, data: Any, item: Any, icon: Any, active_data: Any,
                  active_propname: str, index: int) -> None:
        row = layout.row(align=True)
        row.label(text=f"{item.shot} {item.label}", icon=_STATE_ICONS.get(item.state, "SORTTIME"))
        if item.state in _FINAL:
            text = item.message or (f"v{item.version:03d}" if item.version else item.state.lower())
            row.label(text=text)
        elif hasattr(row, "progress"):
            row.progress(factor=item.progress, type="BAR", text=item.remote_status or item.state.lower())
        else:
            row.label(text=f"{item.state.lower()} {item.progress:.0%}")
        if item.state not in _FINAL:
            op = row.operator("shotloop.job", text="", icon="CANCEL")
            op.job_id, op.action = item.job_id, "CANCEL"
        elif item.state == JobState.FAILED.value:
            op = row.operator("shotloop.job", text="", icon="FILE_REFRESH")
            op.job_id, op.action = item.job_id, "RETRY"


class SHOTLOOP_PT_jobs(_SidebarPanel):
    bl_label = "Jobs"
    bl_parent_id = "SHOTLOOP_PT_main"

    def draw(self, context: Any) -> None:
        layout = self.layout
        props = compat.edit_scene(context).shotloop
        layout.template_list("SHOTLOOP_UL_jobs", "", props, "jobs", props, "active_job", rows=4)
        row = layout.row(align=True)
        row.operator("shotloop.refresh", icon="FILE_REFRESH")
        row.operator("shotloop.clear_jobs", icon="TRASH")


class SHOTLOOP_PT_versions(_SidebarPanel):
    bl_label = "Versions"
    bl_parent_id = "SHOTLOOP_PT_main"

    def draw(self, context: Any) -> None:
        layout = self.layout
        scene = compat.edit_scene(context)
        found = active_source(context)
        if found is None:
            layout.label(text="Select a sent strip or one of its versions")
            return
        _strip, source = found
        takes = imprint.stack(scene, source.shot_id)
        layout.label(text=f"{source.shot}: {len(takes)} version(s)")
        ab = layout.operator("shotloop.ab", icon="SEQ_SPLITVIEW",
                             text="Show source" if source.showing == imprint.SHOWING_VERSION else "Show version",
                             depress=source.showing == imprint.SHOWING_SOURCE)
        ab.source_id = source.shot_id
        layout.prop(scene.shotloop, "note")
        for take, container in reversed(takes):
            row = layout.row(align=True)
            on_view = source.shown == (container.label, container.version)
            review = take.shotloop_take.review if hasattr(take, "shotloop_take") else "pending"
            row.label(text=f"{container.label} v{container.version:03d}", icon=_REVIEW_ICONS.get(review, "DOT"))
            for op_name, icon, extra in (("shotloop.switch", "HIDE_OFF" if on_view else "HIDE_ON", {}),
                                         ("shotloop.review", "CHECKMARK", {"status": "approved"}),
                                         ("shotloop.review", "X", {"status": "rejected"}),
                                         ("shotloop.replay", "FILE_REFRESH", {})):
                op = row.operator(op_name, text="", icon=icon, depress=on_view and op_name == "shotloop.switch")
                op.source_id, op.label, op.number = source.shot_id, container.label, container.version
                for key, value in extra.items():
                    setattr(op, key, value)
            if hasattr(take, "shotloop_take") and take.shotloop_take.note:
                layout.label(text=f"  {take.shotloop_take.note}")


CLASSES = (SHOTLOOP_PT_main, SHOTLOOP_PT_recipe, SHOTLOOP_UL_jobs, SHOTLOOP_PT_jobs, SHOTLOOP_PT_versions)


def register() -> None:
    for cls in CLASSES:
        bpy.utils.register_class(cls)


def unregister() -> None:
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
