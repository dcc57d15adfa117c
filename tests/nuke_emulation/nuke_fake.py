"""Controls for the emulated ``nuke`` session that only tests use (reference B1).

Nothing in here exists in real Nuke: it plays the person at the keyboard (selecting, editing
knobs, pressing Cancel) and the GUI event loop (running the main-thread queue).
"""
from __future__ import annotations

import threading
from typing import Any

import nuke
import nukescripts
from nuke import _callbacks, _mainthread, _media
from nuke._session import SESSION


def reset(gui: bool = True, version: tuple[int, int, int] = (15, 0, 1),
          main_thread: threading.Thread | None = None, knob_changed: str = "panel") -> None:
    """A new, empty session (Root with defaults; ``Viewer1`` when ``gui``)."""
    nuke._reset(gui=gui, version=version, main_thread=main_thread)
    SESSION.knob_changed_policy = knob_changed
    nukescripts._refresh()


def pump(max_calls: int | None = None) -> int:
    """Run queued main-thread calls (the GUI event loop's job)."""
    return _mainthread.pump(max_calls)


def pending() -> int:
    return _mainthread.pending()


def pump_timings() -> list[tuple[str, float, float]]:
    """(callable name, wall seconds, main-thread CPU seconds) for every call ``pump`` ran
    since the reset. Wall time includes waiting for the GIL and for a core."""
    return list(SESSION.pump_timings)


def block_main(blocked: bool) -> None:
    """Model a busy main thread (modal render, long call): ``pump`` runs nothing."""
    SESSION.main_blocked = bool(blocked)


def user_set(knob: Any, value: Any) -> None:
    """A person edits ``knob`` in its properties panel."""
    _callbacks.user_set(knob, value)


def user_press(knob: Any) -> None:
    """A person presses a button knob."""
    knob.execute()


def open_panel(node: Any) -> None:
    _callbacks.set_panel_open(node, True)


def close_panel(node: Any) -> None:
    _callbacks.set_panel_open(node, False)


def register_media(path_pattern: str, first: int, last: int, width: int, height: int,
                   pixel_aspect: float = 1.0, metadata: dict | None = None, fps: float | None = None) -> None:
    _media.register(path_pattern, first, last, width, height, pixel_aspect, metadata, fps)


def queue_dialog_response(kind: str, value: Any = None) -> None:
    SESSION.dialog_responses.append((kind, value))


def dialog_log() -> list[tuple[str, Any]]:
    return list(SESSION.dialog_log)


def progress_log() -> list[Any]:
    """Every ProgressTask created since the reset (title, messages, progress, finished)."""
    return list(SESSION.progress_tasks)


def cancel_progress(title: str | None = None) -> int:
    """Press Cancel on open progress bars (those whose title contains ``title``)."""
    count = 0
    for record in SESSION.progress_tasks:
        if not record.finished and (title is None or title in record.title):
            with record.lock:
                record.cancelled = True
            count += 1
    return count


def cancel_next_render() -> None:
    SESSION.cancel_next_render = True


def render_log() -> list[dict[str, Any]]:
    return list(SESSION.render_log)


def printed() -> list[str]:
    return list(SESSION.printed)


def menu_tree() -> dict[str, Any]:
    def walk(item: Any) -> Any:
        if isinstance(item, nuke.Menu):
            return {child.name(): walk(child) for child in item.items() if child.name()}
        return {"shortcut": item.shortcut(), "command": item.script()}

    return {name: walk(menu) for name, menu in SESSION.menus.items()}


def restore_panel(panel_id: str) -> Any:
    """What a saved layout does at startup: build the registered panel from its id."""
    factory = SESSION.panels[panel_id]
    panel = factory()
    panel.addToPane()
    return panel


def set_knob_changed_policy(policy: str) -> None:
    if policy not in ("panel", "always"):
        raise ValueError(policy)
    SESSION.knob_changed_policy = policy


def undo_log() -> list[str]:
    return list(SESSION.undo_log)
