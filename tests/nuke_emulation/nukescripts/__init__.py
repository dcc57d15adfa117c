"""Emulated ``nukescripts``: GUI-only names (panels) exist only when ``nuke.GUI`` is true."""
from __future__ import annotations

import re
import sys

import nuke
from nuke import executeInMainThread, executeInMainThreadWithResult  # noqa: F401 - re-exported

_GUI_ONLY = ("PythonPanel", "registerPanel", "unregisterPanel", "restorePanel",
             "registerWidgetAsPanel", "panels")


def replaceHashes(path: str) -> str:  # noqa: N802
    """``####`` -> ``%04d``."""
    return re.sub(r"#+", lambda m: f"%0{len(m.group())}d", path)


def _refresh() -> None:
    """Re-evaluate the GUI-only exports, as a fresh import under the current mode would."""
    module = sys.modules[__name__]
    for name in _GUI_ONLY:
        if name in module.__dict__:
            delattr(module, name)
    if nuke.GUI:
        from . import panels as _panels

        module.panels = _panels
        for name in _GUI_ONLY[:-1]:
            setattr(module, name, getattr(_panels, name))


_refresh()
