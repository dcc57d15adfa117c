"""The extension's one live Session, its timer and its handlers.

``start()`` (from register) creates the session, registers the persistent timer that drains
the main-thread queue and a ``load_post`` handler that re-follows the feed for the opened
.blend; ``stop()`` (from unregister) undoes all of it. Nothing here runs at import time. The
slot below is the only module state: Blender calls timers and handlers as plain functions.
"""
from __future__ import annotations

import logging
import shlex
from typing import Any, Callable

import bpy
from bpy.app.handlers import persistent

from shotloop.client import AgentAPI

from . import properties
from .session import Session

log = logging.getLogger(__name__)

_slot: dict[str, Any] = {}  # "session": Session, "timer": the registered callable


def current() -> Session | None:
    return _slot.get("session")


def require() -> Session:
    session = current()
    if session is None:
        raise RuntimeError("ShotLoop is not running (the extension is disabled)")
    return session


def connector(context: Any = None) -> Callable[[], AgentAPI]:
    """How to reach the agent, read from the preferences on the main thread."""
    prefs = properties.preferences(context)
    home = (prefs.agent_home or None) if prefs is not None else None
    command = shlex.split(prefs.agent_command) if prefs is not None and prefs.agent_command else None
    if home is not None:
        home = bpy.path.abspath(home)
    return lambda: AgentAPI.connect(home, start=True, command=command)


def start(connect: Callable[[], AgentAPI] | None = None, *, resume_now: bool = False) -> Session:
    """Create the session (replacing a running one) and hook it into Blender.

    The open file's jobs are resumed on the timer's first tick (``bpy.data`` is off limits
    while add-ons register at start-up) or at once with ``resume_now``; opening a .blend
    resumes through the ``load_post`` handler."""
    stop()
    session = Session(connect or connector())
    _slot["session"] = session
    pending = [not resume_now]

    def timer() -> float:
        if pending[0]:
            pending[0] = False
            session.resume()
        return session.tick()

    _slot["timer"] = timer
    bpy.app.timers.register(timer, first_interval=0.1, persistent=True)
    if _on_load_post not in bpy.app.handlers.load_post:
        bpy.app.handlers.load_post.append(_on_load_post)
    if resume_now:
        session.resume()
    return session


def stop(join_s: float = 0.0) -> None:
    timer = _slot.pop("timer", None)
    if timer is not None and bpy.app.timers.is_registered(timer):
        bpy.app.timers.unregister(timer)
    while _on_load_post in bpy.app.handlers.load_post:
        bpy.app.handlers.load_post.remove(_on_load_post)
    session = _slot.pop("session", None)
    if session is not None:
        session.close(join_s)


@persistent
def _on_load_post(*_args: Any) -> None:
    """Another .blend is open: follow the feed from where that file stopped and catch up."""
    session = current()
    if session is not None:
        session.resume()
