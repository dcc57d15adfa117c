"""Menus, toolbars, dialogs, panes, viewers, undo, plugin path (A2, A9, B8)."""
from __future__ import annotations

import os
import re
import sys
from typing import Any, Callable

from ._session import SESSION, emit, require_gui, require_main


class MenuItem:
    def __init__(self, name: str, command: Any = None, shortcut: str | None = None, icon: str | None = None,
                 tooltip: str | None = None, index: int | None = None, shortcutContext: int | None = None) -> None:  # noqa: N803
        self._name = name
        self._command = command
        self._shortcut = shortcut or ""
        self._icon = icon or ""
        self._tooltip = tooltip or ""
        self._context = shortcutContext
        self._enabled = True

    def name(self) -> str:
        return self._name

    def script(self) -> Any:
        return self._command

    def shortcut(self) -> str:
        return self._shortcut

    def setShortcut(self, shortcut: str) -> None:  # noqa: N802
        self._shortcut = shortcut

    def icon(self) -> str:
        return self._icon

    def setEnabled(self, enabled: bool) -> None:  # noqa: N802
        self._enabled = bool(enabled)

    def invoke(self) -> Any:
        require_main("MenuItem.invoke")
        import nuke

        command = self._command
        if command is None:
            return nuke.createNode(self._name.split("/")[-1])
        if callable(command):
            return command()
        exec(command, {"nuke": nuke, "__name__": "__main__"})  # noqa: S102 - menu commands are Python
        return None


class Menu(MenuItem):
    def __init__(self, name: str, icon: str | None = None, tooltip: str | None = None) -> None:
        super().__init__(name, icon=icon, tooltip=tooltip)
        self._items: list[MenuItem] = []

    def items(self) -> list[MenuItem]:
        return list(self._items)

    def _find(self, name: str) -> MenuItem | None:
        head, _, rest = name.partition("/")
        for item in self._items:
            if item.name() == head:
                if rest:
                    return item._find(rest) if isinstance(item, Menu) else None
                return item
        return None

    def findItem(self, name: str) -> MenuItem | None:  # noqa: N802
        return self._find(name)

    def menu(self, name: str) -> MenuItem | None:
        return self._find(name)

    def addMenu(self, name: str, icon: str | None = None, tooltip: str | None = None,  # noqa: N802
                index: int | None = None) -> "Menu":
        head, _, rest = name.partition("/")
        found = self._find(head)
        if not isinstance(found, Menu):
            found = Menu(head, icon, tooltip)
            self._insert(found, index)
        return found.addMenu(rest) if rest else found

    def _insert(self, item: MenuItem, index: int | None) -> None:
        if index is None or index >= len(self._items):
            self._items.append(item)
        else:
            self._items.insert(max(index, 0), item)

    def addCommand(self, name: str, command: Any = None, shortcut: str | None = None,  # noqa: N802
                   icon: str | None = None, tooltip: str | None = None, index: int | None = None,
                   readonly: bool | None = None, shortcutContext: int | None = None,  # noqa: N803
                   tag: Any = None, tagTarget: Any = None, nodeClass: str = "") -> MenuItem:  # noqa: N803
        parent, _, leaf = name.rpartition("/")
        target = self.addMenu(parent) if parent else self
        existing = target._find(leaf)
        if existing is not None and not isinstance(existing, Menu):
            target._items.remove(existing)
        item = MenuItem(leaf, command, shortcut, icon, tooltip, index, shortcutContext)
        target._insert(item, index)
        return item

    def addSeparator(self, index: int | None = None) -> MenuItem:  # noqa: N802
        item = MenuItem("")
        self._insert(item, index)
        return item

    def removeItem(self, name: str) -> None:  # noqa: N802
        found = self._find(name)
        if found is None:
            raise ValueError(f"{name}: no such item")
        parent, _, _ = name.rpartition("/")
        owner = self._find(parent) if parent else self
        owner._items.remove(found)  # type: ignore[union-attr]

    def clearMenu(self) -> None:  # noqa: N802
        self._items.clear()


class ToolBar(Menu):
    pass


MENU_NAMES = ("Nuke", "Pane", "Nodes", "Properties", "Animation", "Viewer", "Node Graph", "Axis")


def menu(name: str) -> Menu | None:
    require_gui("menu")
    if name not in MENU_NAMES:
        return None
    return SESSION.menus.setdefault(name, ToolBar(name) if name == "Nodes" else Menu(name))


def toolbar(name: str, create: bool = True) -> ToolBar | None:
    require_gui("toolbar")
    if name == "Nodes":
        return menu("Nodes")  # type: ignore[return-value]
    if name not in SESSION.toolbars and create:
        SESSION.toolbars[name] = ToolBar(name)
    return SESSION.toolbars.get(name)


# ---------------------------------------------------------------------- dialogs


def _dialog(kind: str, prompt: Any) -> Any:
    require_main(kind)
    SESSION.dialog_log.append((kind, prompt))
    if not SESSION.gui:
        if kind == "message":
            emit(str(prompt))
            return None
        raise RuntimeError(f"{kind}: Invalid function call in non-gui mode")
    if not SESSION.dialog_responses:
        raise AssertionError(f"fake nuke: unexpected {kind} dialog: {prompt!r}")
    want, value = SESSION.dialog_responses.popleft()
    if want != kind:
        raise AssertionError(f"fake nuke: expected a {want} dialog, got {kind}: {prompt!r}")
    return value


def message(prompt: str) -> None:
    _dialog("message", prompt)


def ask(prompt: str, default: bool = False) -> bool:
    return bool(_dialog("ask", prompt))


def getInput(prompt: str, default: str = "") -> str | None:  # noqa: N802
    return _dialog("getInput", prompt)


def choice(title: str, prompt: str, options: list[str], default: int = 0) -> int | None:
    return _dialog("choice", prompt)


def getFilename(message: str, pattern: str | None = None, default: str | None = None,  # noqa: N802
                favorites: Any = None, type: Any = None, multiple: bool = False) -> Any:  # noqa: A002
    return _dialog("getFilename", message)


def critical(prompt: str) -> None:
    SESSION.dialog_log.append(("critical", prompt))
    emit(f"CRITICAL: {prompt}")


def error(prompt: str) -> None:
    SESSION.dialog_log.append(("error", prompt))
    emit(f"ERROR: {prompt}")


def warning(prompt: str) -> None:
    SESSION.dialog_log.append(("warning", prompt))
    emit(f"WARNING: {prompt}")


def tprint(*args: Any, sep: str = " ", end: str = "\n") -> None:
    emit(sep.join(map(str, args)))


class Panel:
    """``nuke.Panel(title)``: a simple modal form."""

    def __init__(self, title: str) -> None:
        self._title = title
        self._values: dict[str, Any] = {}

    def addSingleLineInput(self, name: str, value: str = "") -> None:  # noqa: N802
        self._values[name] = value

    def addEnumerationPulldown(self, name: str, items: str) -> None:  # noqa: N802
        self._values[name] = items.split()[0] if items.split() else ""

    def addBooleanCheckBox(self, name: str, value: bool = False) -> None:  # noqa: N802
        self._values[name] = bool(value)

    def show(self) -> int:
        answer = _dialog("panel", self._title)
        if isinstance(answer, dict):
            self._values.update(answer)
            return 1
        return 0

    def value(self, name: str) -> Any:
        return self._values.get(name)


# ---------------------------------------------------------------------- panes and viewers


class Pane:
    def __init__(self, name: str) -> None:
        self._name = name
        self.panels: list[Any] = []

    def name(self) -> str:
        return self._name


def getPaneFor(name: str) -> Pane:  # noqa: N802
    require_gui("getPaneFor")
    return Pane(name)


def activeViewer() -> Any:  # noqa: N802
    return None  # documented to be possibly None (AYON checks it)


def connectViewer(index: int, node: Any) -> None:  # noqa: N802
    require_main("connectViewer")
    from ._graph import allNodes

    viewers = allNodes("Viewer")
    if viewers:
        viewers[0].setInput(int(index), node)


class Undo:
    """Undo groups; the emulation records them (no undo stack)."""

    @staticmethod
    def begin(name: str | None = None) -> None:
        SESSION.undo_log.append(f"begin:{name or ''}")

    @staticmethod
    def name(name: str) -> None:
        SESSION.undo_log.append(f"name:{name}")

    @staticmethod
    def end() -> None:
        SESSION.undo_log.append("end")

    @staticmethod
    def cancel() -> None:
        SESSION.undo_log.append("cancel")

    @staticmethod
    def disable() -> None:
        SESSION.undo_log.append("disable")

    @staticmethod
    def enable() -> None:
        SESSION.undo_log.append("enable")


# ---------------------------------------------------------------------- plugin path and files


def pluginPath() -> list[str]:  # noqa: N802
    return list(SESSION.plugin_path)


def pluginAddPath(path: Any, addToSysPath: bool = True) -> None:  # noqa: N802,N803
    for entry in reversed([path] if isinstance(path, str) else list(path)):
        if entry in SESSION.plugin_path:
            SESSION.plugin_path.remove(entry)
        SESSION.plugin_path.insert(0, entry)
        if addToSysPath:
            if entry in sys.path:
                sys.path.remove(entry)
            sys.path.insert(0, entry)


def pluginAppendPath(path: Any, addToSysPath: bool = True) -> None:  # noqa: N802,N803
    for entry in [path] if isinstance(path, str) else list(path):
        if entry not in SESSION.plugin_path:
            SESSION.plugin_path.append(entry)
        if addToSysPath and entry not in sys.path:
            sys.path.append(entry)


def getFileNameList(dir: str, splitSequences: bool = False, extraInformation: bool = False,  # noqa: A002,N802,N803
                    returnDirs: bool = True, returnHidden: bool = False) -> list[str]:  # noqa: N803
    groups: dict[str, list[int]] = {}
    singles: list[str] = []
    for name in sorted(os.listdir(dir)):
        m = re.match(r"^(.*?)(\d+)(\.[A-Za-z0-9]+)$", name)
        if m:
            key = f"{m.group(1)}{'#' * len(m.group(2))}{m.group(3)}"
            groups.setdefault(key, []).append(int(m.group(2)))
        else:
            singles.append(name)
    out = [f"{key} {min(f)}-{max(f)}" for key, f in groups.items()]
    return sorted(out + singles)


def getColorspaceList(knob: Any) -> list[str]:  # noqa: N802
    return list(knob.values())


Callback = Callable[..., Any]
