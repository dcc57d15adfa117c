"""The one emulated Nuke session: everything a real Nuke process holds in memory.

Real Nuke is a single process-wide session, so the emulation is one too. Test code resets it
through ``nuke_fake.reset()``; nothing here knows about any pipeline built on top.
"""
from __future__ import annotations

import collections
import threading
from typing import Any


class Session:
    """Mutable state of the emulated process (root, queue, callbacks, UI records)."""

    def __init__(self) -> None:
        self.reset_state(gui=True, version=(15, 0, 1), main_thread=threading.current_thread())

    def reset_state(self, *, gui: bool, version: tuple[int, int, int],
                    main_thread: threading.Thread) -> None:
        self.gui = gui
        self.version = version
        self.main_thread = main_thread
        self.root: Any = None  # set by nuke._nodes.new_root()
        self.preferences: Any = None
        self.group_stack: list[Any] = []
        self.serial = 0
        self.knob_defaults: dict[str, str] = {}
        self.media: dict[str, dict[str, Any]] = {}
        self.formats: list[Any] = []
        self.frame = 1
        # callbacks: registry name -> {nodeClass: [(call, args, kwargs, node)]}
        self.callbacks: dict[str, dict[str, list[tuple]]] = collections.defaultdict(dict)
        self.context: list[tuple[Any, Any, Any]] = []  # (node, knob, group) while callbacks run
        self.knob_changed_policy = "panel"  # "panel" (<= 16 documented) | "always" (17.1)
        self.in_knob_changed = False
        self.open_panels: set[int] = set()
        # main-thread queue
        self.queue_lock = threading.Lock()
        self.queue: collections.deque = collections.deque()
        self.main_blocked = False
        self.pump_timings: list[tuple[str, float, float]] = []  # (callable, wall s, main-thread CPU s)
        # UI records
        self.progress_tasks: list[Any] = []
        self.menus: dict[str, Any] = {}
        self.toolbars: dict[str, Any] = {}
        self.panels: dict[str, Any] = {}
        self.dialog_responses: collections.deque = collections.deque()
        self.dialog_log: list[tuple[str, Any]] = []
        self.printed: list[str] = []
        # rendering
        self.render_log: list[dict[str, Any]] = []
        self.cancel_next_render = False
        self.rendering = False
        self.background_renders: list[dict[str, Any]] = []
        # misc
        self.plugin_path: list[str] = []
        self.undo_log: list[str] = []
        self.auto_user_tab = True
        self.loading = False


SESSION = Session()


def require_main(op: str) -> None:
    """Node, knob and script operations are main-thread only (stricter than Nuke, on purpose)."""
    if threading.current_thread() is not SESSION.main_thread:
        raise RuntimeError(f"fake nuke: {op} called off the main thread")


def require_gui(op: str) -> None:
    if not SESSION.gui:
        raise RuntimeError(f"{op}: Invalid function call in non-gui mode")


def next_serial() -> int:
    SESSION.serial += 1
    return SESSION.serial


def emit(line: str) -> None:
    """What Nuke prints to the terminal (recorded, and printed like Nuke does)."""
    SESSION.printed.append(line)
    print(line)  # noqa: T201 - emulating Nuke's terminal output
