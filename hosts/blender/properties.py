"""Add-on data: the recipe and job list on the scene, a review cache on version strips, and
the preferences (agent location only).

The API key never lives here: the agent reads it from the environment or the keychain, so
no .blend and no userpref.blend ever holds it. Per-strip identity is the ``shotloop`` ID
property (imprint.py), not an add-on property, so it also reads in 4.2 where add-on
properties and ID properties share one namespace.
"""
from __future__ import annotations

from typing import Any

import bpy
from bpy.props import (BoolProperty, CollectionProperty, EnumProperty, FloatProperty,
                       IntProperty, PointerProperty, StringProperty)

from shotloop.model import Endpoint, KeyframeMode, ReviewStatus
from shotloop.providers import runway_models

from . import compat

SEED_MAX = 2**31 - 1  # Blender IntProperty is 32-bit signed

# Enum items are built once: Blender needs the strings of dynamic enums kept alive.
_ENDPOINT_ITEMS = tuple((e.value, e.value.replace("_", " ").title(), "") for e in Endpoint)
AUTO = "AUTO"  # enum identifiers cannot be empty: an empty one is a heading in Blender menus
_MODEL_ITEMS = {e.value: tuple((m, m, "") for m in runway_models.models_for(e.value)) or (("NONE", "(none)", ""),)
                for e in Endpoint}
_AUTO_RATIO = (AUTO, "Auto", "The model's ratio closest to the plate's aspect")
_RATIO_ITEMS = {(s.endpoint, s.model): (_AUTO_RATIO, *((r, r, "") for r in s.ratios))
                for s in runway_models.MODELS}
_NO_MODEL = (("NONE", "(none)", ""),)
_KEYFRAME_ITEMS = (
    (KeyframeMode.FIRST.value, "First frame", "Send the shot's first frame"),
    (KeyframeMode.FIRST_LAST.value, "First + last", "Send the first and the last frame"),
    (KeyframeMode.NONE.value, "None", "Send no keyframe"),
)
_REVIEW_ITEMS = tuple((s.value, s.value.title(), "") for s in ReviewStatus)


def _model_items(self: Any, context: Any) -> tuple:
    return _MODEL_ITEMS.get(self.endpoint, _NO_MODEL)


def _ratio_items(self: Any, context: Any) -> tuple:
    return _RATIO_ITEMS.get((self.endpoint, self.model), (_AUTO_RATIO,))


def _endpoint_changed(self: Any, context: Any) -> None:
    models = _MODEL_ITEMS.get(self.endpoint, ())
    if models:
        self.model = models[0][0]
    _model_changed(self, context)


def _model_changed(self: Any, context: Any) -> None:
    self.ratio = AUTO  # the new model's ratio closest to each plate


class SHOTLOOP_PG_job(bpy.types.PropertyGroup):
    """One job sent from this scene, as last reported by the agent (display and resume)."""

    job_id: StringProperty(name="Job")
    shot: StringProperty(name="Shot")
    shot_id: StringProperty(name="Shot id")
    label: StringProperty(name="Label")
    state: StringProperty(name="State", default="QUEUED")
    remote_status: StringProperty(name="Service status")
    progress: FloatProperty(name="Progress", min=0.0, max=1.0, subtype="FACTOR")
    message: StringProperty(name="Message")
    version: IntProperty(name="Version", default=0)
    landed: BoolProperty(name="Landed", default=False)


class SHOTLOOP_PG_scene(bpy.types.PropertyGroup):
    endpoint: EnumProperty(name="Endpoint", items=_ENDPOINT_ITEMS, update=_endpoint_changed)
    model: EnumProperty(name="Model", items=_model_items, update=_model_changed)
    prompt: StringProperty(name="Prompt", description="What to generate")
    seed: IntProperty(name="Seed", min=0, max=SEED_MAX, default=0)
    ratio: EnumProperty(name="Ratio", items=_ratio_items)
    duration: IntProperty(name="Duration", min=0, max=60, default=0,
                          description="Seconds; 0 = from each strip's range, rounded up to what the model offers")
    keyframes: EnumProperty(name="Keyframes", items=_KEYFRAME_ITEMS)
    label: StringProperty(name="Label", default="gen", description="Version stream name")
    profile: StringProperty(name="Profile", description="Provider profile (empty: the default)")
    store_root: StringProperty(name="Version store", subtype="DIR_PATH",
                               description="Where versions go; empty: a shotloop folder beside the .blend")
    note: StringProperty(name="Note", description="Review note sent with approve / reject")
    status: StringProperty(name="Status", default="")
    last_event_seq: IntProperty(name="Last event", default=0, min=0)
    jobs: CollectionProperty(type=SHOTLOOP_PG_job)
    active_job: IntProperty(default=0)


class SHOTLOOP_PG_take(bpy.types.PropertyGroup):
    """Review state of a version strip, mirrored from the agent for drawing."""

    review: EnumProperty(name="Review", items=_REVIEW_ITEMS)
    note: StringProperty(name="Note")


def _agent_changed(self: Any, context: Any) -> None:
    """Reconnect with the new settings (the session reads them on the main thread only)."""
    from . import runtime

    if runtime.current() is not None:
        runtime.start(runtime.connector(context), resume_now=True)


class SHOTLOOP_AddonPreferences(bpy.types.AddonPreferences):
    bl_idname = __package__

    agent_home: StringProperty(name="Agent home", subtype="DIR_PATH", update=_agent_changed,
                               description="SHOTLOOP_HOME of the agent; empty: the default")
    agent_command: StringProperty(name="Agent command", update=_agent_changed,
                                  description="Command that starts `shotloop` (ShotLoop's own environment); "
                                              "empty: SHOTLOOP_AGENT_COMMAND or `shotloop` on PATH")

    def draw(self, context: Any) -> None:
        self.layout.prop(self, "agent_home")
        self.layout.prop(self, "agent_command")
        self.layout.label(text="API keys stay with the agent (environment or keychain), never in a .blend.")


CLASSES = (SHOTLOOP_PG_job, SHOTLOOP_PG_scene, SHOTLOOP_PG_take, SHOTLOOP_AddonPreferences)


def preferences(context: Any = None) -> Any:
    """The add-on preferences, or None when the add-on was registered by hand (tests)."""
    context = context or bpy.context
    addon = context.preferences.addons.get(__package__)
    return addon.preferences if addon is not None else None


def register() -> None:
    for cls in CLASSES:
        bpy.utils.register_class(cls)
    bpy.types.Scene.shotloop = PointerProperty(type=SHOTLOOP_PG_scene)
    compat.strip_type().shotloop_take = PointerProperty(type=SHOTLOOP_PG_take)


def unregister() -> None:
    del compat.strip_type().shotloop_take
    del bpy.types.Scene.shotloop
    for cls in reversed(CLASSES):
        bpy.utils.unregister_class(cls)
