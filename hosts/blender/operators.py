"""Operators: thin wrappers that read the panel, call the session and return at once."""
from __future__ import annotations

from typing import Any

import bpy
from bpy.props import BoolProperty, EnumProperty, IntProperty, StringProperty
from bpy_extras.io_utils import ExportHelper

from shotloop.errors import ShotLoopError
from shotloop.model import JobState, ReviewStatus

from . import compat, imprint, runtime, send, timeline
from .loaders import VseStripLoader, store_root_of


def _scene(context: Any) -> Any:
    return compat.edit_scene(context)


def _has_editor(context: Any) -> bool:
    scene = _scene(context)
    return scene is not None and scene.sequence_editor is not None and runtime.current() is not None


def active_source(context: Any) -> tuple[Any, imprint.SourceImprint] | None:
    """The shot the active strip belongs to (the strip itself, or the source of a version strip)."""
    scene = _scene(context)
    editor = scene.sequence_editor if scene is not None else None
    strip = editor.active_strip if editor is not None else None
    if strip is None:
        return None
    source = imprint.read_source(strip)
    if source is not None:
        return strip, source
    found = imprint.read_container(strip)
    if found is not None:
        return imprint.find_source(scene, found[0].source_id)
    return None


class _ShotLoopOperator(bpy.types.Operator):
    @classmethod
    def poll(cls, context: Any) -> bool:
        return _has_editor(context)

    def fail(self, err: ShotLoopError) -> set[str]:
        self.report({"ERROR"}, err.message)
        return {"CANCELLED"}


class SHOTLOOP_OT_send(_ShotLoopOperator):
    """Send the selected movie and image strips to the generation service"""

    bl_idname = "shotloop.send"
    bl_label = "Send Selected"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context: Any) -> set[str]:
        scene = _scene(context)
        props = scene.shotloop
        try:
            collected = runtime.require().send(scene, send.recipe_from_props(props), profile=props.profile)
        except ShotLoopError as err:
            return self.fail(err)
        for err in collected.errors:
            self.report({"WARNING"}, err.message)
        for text in collected.warnings:
            self.report({"WARNING"}, text)
        if not collected.selections:
            if not collected.errors:
                self.report({"WARNING"}, "select movie or image strips to send")
            return {"CANCELLED"}
        self.report({"INFO"}, f"ShotLoop: sending {len(collected.selections)} shot(s)")
        return {"FINISHED"}


class SHOTLOOP_OT_job(_ShotLoopOperator):
    """Cancel or retry a job"""

    bl_idname = "shotloop.job"
    bl_label = "Job Action"

    job_id: StringProperty()
    action: EnumProperty(items=(("CANCEL", "Cancel", "Stop the job (no more credits are spent)"),
                                ("RETRY", "Retry", "Send the failed job again")))

    def execute(self, context: Any) -> set[str]:
        session = runtime.require()
        if self.action == "CANCEL":
            session.cancel(self.job_id)
        else:
            session.retry(self.job_id)
        return {"FINISHED"}


class SHOTLOOP_OT_clear_jobs(_ShotLoopOperator):
    """Remove finished jobs from the list (versions and the agent's ledger are kept)"""

    bl_idname = "shotloop.clear_jobs"
    bl_label = "Clear Finished"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context: Any) -> set[str]:
        jobs = _scene(context).shotloop.jobs
        final = {JobState.FAILED.value, JobState.CANCELLED.value}
        for index in reversed(range(len(jobs))):
            if jobs[index].landed or jobs[index].state in final:
                jobs.remove(index)
        return {"FINISHED"}


class _TakeOperator(_ShotLoopOperator):
    source_id: StringProperty()
    label: StringProperty()
    number: IntProperty()

    def take_strip(self, context: Any) -> Any:
        found = VseStripLoader(_scene(context)).find(self.source_id, self.label, self.number)
        return found[0] if found is not None else None


class SHOTLOOP_OT_switch(_TakeOperator):
    """Show this version (the others of the shot are muted)"""

    bl_idname = "shotloop.switch"
    bl_label = "Switch Version"
    bl_options = {"REGISTER", "UNDO"}

    def execute(self, context: Any) -> set[str]:
        VseStripLoader(_scene(context)).set_current(self.source_id, self.label, self.number)
        return {"FINISHED"}


class SHOTLOOP_OT_ab(_ShotLoopOperator):
    """A/B: flip between the current version and the source plate"""

    bl_idname = "shotloop.ab"
    bl_label = "A/B Source"
    bl_options = {"REGISTER", "UNDO"}

    source_id: StringProperty()

    def execute(self, context: Any) -> set[str]:
        scene = _scene(context)
        found = imprint.find_source(scene, self.source_id)
        if found is None:
            return {"CANCELLED"}
        VseStripLoader(scene).show_source(self.source_id, found[1].showing == imprint.SHOWING_VERSION)
        return {"FINISHED"}


class SHOTLOOP_OT_review(_TakeOperator):
    """Approve or reject this version, with the note from the panel"""

    bl_idname = "shotloop.review"
    bl_label = "Review Version"

    status: EnumProperty(items=tuple((s.value, s.value.title(), "") for s in ReviewStatus))

    def execute(self, context: Any) -> set[str]:
        strip = self.take_strip(context)
        if strip is None:
            return {"CANCELLED"}
        found = imprint.read_container(strip)
        scene = _scene(context)
        runtime.require().review(found[0].shot, self.label, self.number, ReviewStatus(self.status),
                                 scene.shotloop.note, store_root_of(strip))
        return {"FINISHED"}


class SHOTLOOP_OT_replay(_TakeOperator):
    """Generate this version's recipe again (same model, prompt and seed)"""

    bl_idname = "shotloop.replay"
    bl_label = "Replay Version"

    def execute(self, context: Any) -> set[str]:
        strip = self.take_strip(context)
        if strip is None:
            return {"CANCELLED"}
        found = imprint.read_container(strip)
        runtime.require().replay(_scene(context), found[0].shot, self.label, self.number, store_root_of(strip))
        return {"FINISHED"}


class SHOTLOOP_OT_refresh(_ShotLoopOperator):
    """Ask the agent again about unfinished jobs and load versions missing from the active shot"""

    bl_idname = "shotloop.refresh"
    bl_label = "Refresh"

    def execute(self, context: Any) -> set[str]:
        session = runtime.require()
        session.refresh_jobs()
        found = active_source(context)
        if found is not None:
            scene = _scene(context)
            try:
                root = send.store_root_for(scene)
            except ShotLoopError as err:
                return self.fail(err)
            session.load_versions(scene, found[1].shot_id, found[1].shot, root)
        return {"FINISHED"}


class SHOTLOOP_OT_export_otio(_ShotLoopOperator, ExportHelper):
    """Export the Sequencer as a review timeline: each sent shot's clip carries its versions
    (.otio, .otioz, .edl or .xml), plus a takes layout with one track per take"""

    bl_idname = "shotloop.export_otio"
    bl_label = "Export Review Timeline"

    filename_ext = ".otio"
    filter_glob: StringProperty(default="*.otio;*.otioz;*.edl;*.xml", options={"HIDDEN"})
    takes_layout: BoolProperty(name="Takes layout", default=True,
                               description="Also write <name>_takes.otio with one track per take")

    def execute(self, context: Any) -> set[str]:
        try:
            written = timeline.export(_scene(context), bpy.path.abspath(self.filepath),
                                      takes_layout=self.takes_layout)
        except ShotLoopError as err:
            return self.fail(err)
        self.report({"INFO"}, "ShotLoop: wrote " + ", ".join(str(p) for p in written))
        return {"FINISHED"}


CLASSES = (SHOTLOOP_OT_send, SHOTLOOP_OT_job, SHOTLOOP_OT_clear_jobs, SHOTLOOP_OT_switch, SHOTLOOP_OT_ab,
           SHOTLOOP_OT_review, SHOTLOOP_OT_replay, SHOTLOOP_OT_refresh, SHOTLOOP_OT_export_otio)


def register() -> None:
    for cls in CLASSES:
        bpy.utils.register_class(cls)


def unregister() -> None:
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
