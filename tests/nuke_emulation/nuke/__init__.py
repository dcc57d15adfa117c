"""An emulation of Foundry's ``nuke`` module for tests (see shared/reference/nuke.md, part B).

Only documented behaviour is emulated; where Nuke's behaviour is unverified the emulation picks
the strictest reading (and says so). Fake-only controls live in ``nuke_fake``, never here.
"""
from __future__ import annotations

import sys as _sys
import threading as _threading
from typing import Any as _Any

# Everything imported below is the module's public surface (re-exported on purpose).
from . import _callbacks, _nodes
from ._classes import ChannelMask_Knob, Color_Knob  # noqa: F401
from ._constants import *  # noqa: F401,F403 - the flag constants are part of the module
from ._graph import (  # noqa: F401
    addFormat, allNodes, createNode, delete, filename, formats, frame, invertSelection,
    knob, knobDefault, nodes, root, selectAll, selectedNode, selectedNodes, tcl,
    thisClass, thisGroup, thisKnob, thisNode, toNode, value)
from ._knobs import (  # noqa: F401
    Array_Knob, BeginTabGroup_Knob, Boolean_Knob, ColorChip_Knob, Double_Knob,
    EndTabGroup_Knob, Enumeration_Knob, EvalString_Knob, File_Knob, Format_Knob,
    Int_Knob, Knob, Link_Knob, Multiline_Eval_String_Knob, Password_Knob,
    PyCustom_Knob, PyScript_Knob, Script_Knob, String_Knob, Tab_Knob, Text_Knob)
from ._nodes import Group, Node, Root  # noqa: F401
from ._render import execute, executeBackgroundNuke, render  # noqa: F401
from ._script import (  # noqa: F401
    nodeCopy, nodePaste, scriptClear, scriptClose, scriptName, scriptOpen, scriptReadFile,
    scriptSave, scriptSaveAs, scriptSource, script_directory)
from ._session import SESSION as _SESSION
from ._mainthread import ProgressTask, executeInMainThread, executeInMainThreadWithResult  # noqa: F401
from ._ui import (  # noqa: F401
    Menu, MenuItem, Panel, ToolBar, Undo, activeViewer, ask, choice, connectViewer,
    critical, error, getColorspaceList, getFileNameList, getFilename, getInput,
    getPaneFor, menu, message, pluginAddPath, pluginAppendPath, pluginPath, tprint,
    toolbar, warning)
from ._values import Format, FrameRange, FrameRanges  # noqa: F401

AColor_Knob = Color_Knob

GUI = True
INTERACTIVE = True
NUKE_VERSION_MAJOR = 15
NUKE_VERSION_MINOR = 0
NUKE_VERSION_RELEASE = 1
NUKE_VERSION_STRING = "15.0v1"
NUKE_VERSION_DATE = ""
NUKE_VERSION_PHASE = ""
EXE_PATH = "/usr/local/Nuke15.0v1/Nuke15.0"
rawArgs: list[str] = []
env: dict[str, _Any] = {}


def usingOcio() -> bool:  # noqa: N802
    return root()["colorManagement"].value() == "OCIO"


def _make_callback_api() -> None:
    names = {
        "OnUserCreate": "onUserCreates", "OnCreate": "onCreates", "OnScriptLoad": "onScriptLoads",
        "OnScriptSave": "onScriptSaves", "OnScriptClose": "onScriptCloses", "OnDestroy": "onDestroys",
        "KnobChanged": "knobChangeds", "UpdateUI": "updateUIs", "Autolabel": "autolabels",
        "BeforeRender": "beforeRenders", "BeforeFrameRender": "beforeFrameRenders",
        "AfterFrameRender": "afterFrameRenders", "AfterRender": "afterRenders",
        "RenderProgress": "renderProgresses", "FilenameFilter": "filenameFilters",
    }
    module = _sys.modules[__name__]
    for suffix, registry in names.items():
        default = _callbacks.REGISTRIES[registry][0]

        def add(call: _Any, args: _Any = (), kwargs: _Any = None, nodeClass: str = default,  # noqa: N803
    node: _Any = None, _registry: str = registry) -> None:
            _callbacks.add(_registry, call, args, {} if kwargs is None else kwargs, nodeClass, node)

        def remove(call: _Any, args: _Any = (), kwargs: _Any = None, nodeClass: str = default,  # noqa: N803
    node: _Any = None, _registry: str = registry) -> None:
            _callbacks.remove(_registry, call, args, {} if kwargs is None else kwargs, nodeClass, node)

        setattr(module, f"add{suffix}", add)
        setattr(module, f"remove{suffix}", remove)


_make_callback_api()


def _rebind() -> None:
    """Module attributes that mirror the session (rebound by nuke_fake.reset)."""
    module = _sys.modules[__name__]
    major, minor, release = _SESSION.version
    module.GUI = _SESSION.gui
    module.INTERACTIVE = True
    module.NUKE_VERSION_MAJOR, module.NUKE_VERSION_MINOR, module.NUKE_VERSION_RELEASE = major, minor, release
    module.NUKE_VERSION_STRING = f"{major}.{minor}v{release}"
    module.env = {
        "gui": _SESSION.gui, "NukeVersionMajor": major, "NukeVersionMinor": minor,
        "NukeVersionRelease": release, "NukeVersionString": f"{major}.{minor}v{release}",
        "LINUX": _sys.platform.startswith("linux"), "MACOS": _sys.platform == "darwin",
        "WIN32": _sys.platform == "win32", "threads": 2, "numCPUs": 2,
        "ExecutablePath": module.EXE_PATH, "nukex": False, "studio": False, "hiero": False,
    }
    for registry in _callbacks.REGISTRIES:
        setattr(module, registry, _SESSION.callbacks[registry])


def _reset(gui: bool = True, version: tuple[int, int, int] = (15, 0, 1),
           main_thread: _threading.Thread | None = None) -> None:
    from ._values import DEFAULT_FORMATS, Format as _Format

    _SESSION.reset_state(gui=gui, version=version, main_thread=main_thread or _threading.current_thread())
    _SESSION.formats = [_Format.parse(spec) for spec in DEFAULT_FORMATS]
    _SESSION.root = _nodes.Root._create()
    _SESSION.preferences = _nodes.Node("Preferences", None)
    _rebind()
    if gui:
        _nodes.make("Viewer", _SESSION.root)
    _SESSION.root._modified = False


_reset()
