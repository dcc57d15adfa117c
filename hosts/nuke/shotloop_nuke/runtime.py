"""The one ShotLoop session of this Nuke process.

Nuke is one process with one script open at a time, and its menus and callbacks are plain
functions, so they need a place to find the session: this module. ``install()`` (from init.py)
creates the host and registers the callbacks; the session itself is created on first use, so a
Nuke that never uses ShotLoop never starts an agent or a thread.
"""
from __future__ import annotations

import logging
from typing import Any

import nuke

log = logging.getLogger(__name__)


class _Runtime:
    """Holder for the process-wide host and session (created once, on the main thread)."""

    def __init__(self) -> None:
        self.host: Any = None
        self.session: Any = None
        self.installed = False


_RUNTIME = _Runtime()


def host() -> Any:
    if _RUNTIME.host is None:
        from .host import NukeHost

        _RUNTIME.host = NukeHost()
    return _RUNTIME.host


def session(create: bool = True) -> Any:
    if _RUNTIME.session is None and create:
        from .session import NukeSession

        _RUNTIME.session = NukeSession(host())
        _RUNTIME.session.attach()
    return _RUNTIME.session


def use_session(value: Any) -> None:
    """Replace the process session (tests, or a studio wrapper with its own connect())."""
    if _RUNTIME.session is not None and _RUNTIME.session is not value:
        _RUNTIME.session.close()
    _RUNTIME.session = value
    if value is not None:
        _RUNTIME.host = value.host


def shutdown() -> None:
    if _RUNTIME.session is not None:
        _RUNTIME.session.close()
    _RUNTIME.session = None
    _RUNTIME.host = None


# ---------------------------------------------------------------------- Nuke callbacks


def on_script_load() -> None:
    """Root onScriptLoad: follow the new script (jobs that landed meanwhile get loaded)."""
    from . import settings

    current = _RUNTIME.session
    if current is not None:
        current.attach()
    elif nuke.root().knob(settings.STATE) is not None:
        session()  # the script awaits ShotLoop jobs: start following it


def on_script_save() -> None:
    if _RUNTIME.session is not None:
        _RUNTIME.session.save_state()


def on_script_close() -> None:
    if _RUNTIME.session is not None:
        _RUNTIME.session.detach()


def install() -> None:
    """Register ShotLoop's callbacks (init.py; safe in terminal mode, idempotent)."""
    from . import callbacks

    nuke.addOnScriptLoad(on_script_load)
    nuke.addOnScriptSave(on_script_save)
    nuke.addOnScriptClose(on_script_close)
    nuke.addKnobChanged(callbacks.stack_knob_changed, nodeClass="Group")
    _RUNTIME.installed = True
    host()


def uninstall() -> None:
    from . import callbacks

    nuke.removeOnScriptLoad(on_script_load)
    nuke.removeOnScriptSave(on_script_save)
    nuke.removeOnScriptClose(on_script_close)
    nuke.removeKnobChanged(callbacks.stack_knob_changed, nodeClass="Group")
    _RUNTIME.installed = False
    shutdown()
