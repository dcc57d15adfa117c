"""Script save / open / clear / read (reference A6, B5)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import _callbacks, _nkfile, _nodes
from ._session import SESSION, require_gui, require_main


def scriptName() -> str:  # noqa: N802
    require_main("scriptName")
    name = SESSION.root["name"]._value
    if not name:
        raise RuntimeError("no script name: the script has not been saved")
    return name


def script_directory() -> str:
    name = SESSION.root["name"]._value
    return os.path.dirname(name) if name else ""


def _write(path: str) -> None:
    Path(path).write_text(_nkfile.write_script(SESSION.root), encoding="utf-8")


def scriptSaveAs(filename: str | None = None, overwrite: int = -1) -> None:  # noqa: N802
    require_main("scriptSaveAs")
    if filename is None:
        if not SESSION.gui:
            raise RuntimeError("scriptSaveAs: no file name given")
        from ._ui import getFilename

        filename = getFilename("Save script as")
        if filename is None:
            raise RuntimeError("Cancelled")
    _callbacks.run("onScriptSaves", SESSION.root)
    if os.path.exists(filename) and overwrite != 1:
        if overwrite == 0 or not SESSION.gui:
            raise RuntimeError(f"{filename} already exists")
        from ._ui import ask

        if not ask(f"{filename} exists. Overwrite?"):
            raise RuntimeError("Cancelled")
    _write(filename)
    SESSION.root["name"]._set_quietly(filename)
    SESSION.root._modified = False


def scriptSave(filename: str | None = None) -> bool:  # noqa: N802
    require_main("scriptSave")
    if filename:
        _callbacks.run("onScriptSaves", SESSION.root)
        _write(filename)
        return True
    current = SESSION.root["name"]._value
    if not current:
        if not SESSION.gui:
            raise RuntimeError("scriptSave: the script has no name")
        scriptSaveAs()
        return True
    _callbacks.run("onScriptSaves", SESSION.root)
    _write(SESSION.root["name"]._value)
    SESSION.root._modified = False
    return True


def scriptClear(resetToCompiledDefaults: bool = False, clearUserKnobs: bool = False) -> None:  # noqa: N802,N803
    """Close: onScriptClose, onDestroy for every node, then an empty Root."""
    require_main("scriptClear")
    from ._graph import _destroy

    root = SESSION.root
    _callbacks.run("onScriptCloses", root)
    _callbacks.run("onDestroys", root)
    for child in list(root._children):
        if not child._deleted:
            _destroy(child)
    SESSION.group_stack.clear()
    SESSION.root = _nodes.Root._create()
    SESSION.open_panels.clear()


def scriptClose(ignoreUnsavedChanges: bool = False) -> bool:  # noqa: N802,N803
    """Close the current script. With unsaved changes the GUI asks whether to save first
    (a scripted ``ask``; the real dialog also offers Cancel), terminal mode does not ask."""
    require_main("scriptClose")
    root = SESSION.root
    if root._modified and not ignoreUnsavedChanges and SESSION.gui:
        from ._ui import ask

        if ask(f"Save changes to {root.name()}?"):
            scriptSave()
    scriptClear()
    return True


def _fire_on_create(created: list[Any]) -> None:
    for node in created:
        if not node._deleted:
            _callbacks.run("onCreates", node)


def scriptOpen(path: str) -> None:  # noqa: N802
    require_main("scriptOpen")
    text = Path(path).read_text(encoding="utf-8")
    scriptClear()
    created = _nkfile.read_script(text, SESSION.root, into_root=True)
    SESSION.root["name"]._set_quietly(str(path))
    _fire_on_create(created)
    _callbacks.run("onCreates", SESSION.root)
    _callbacks.run("onScriptLoads", SESSION.root)
    SESSION.root._modified = False


def scriptReadFile(path: str) -> None:  # noqa: N802
    require_main("scriptReadFile")
    text = Path(path).read_text(encoding="utf-8")
    created = _nkfile.read_script(text, _nodes.current_group(), into_root=False)
    _fire_on_create(created)
    SESSION.root._modified = True


scriptSource = scriptReadFile


def nodeCopy(path: str) -> bool:  # noqa: N802
    require_main("nodeCopy")
    if path == "%clipboard%":
        require_gui("nodeCopy")
        raise RuntimeError("nodeCopy: the emulation has no clipboard")
    from ._graph import selectedNodes

    chosen = selectedNodes()
    holder = _nodes.Group("Group", None)
    holder._children = chosen
    out: list[str] = []
    _nkfile._write_group(holder, out)
    Path(path).write_text("\n".join(out) + "\n", encoding="utf-8")
    return True


def nodePaste(path: str) -> Any:  # noqa: N802
    require_main("nodePaste")
    if path == "%clipboard%":
        require_gui("nodePaste")
        raise RuntimeError("nodePaste: the emulation has no clipboard")
    scriptReadFile(path)
    return None
