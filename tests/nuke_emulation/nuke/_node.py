"""Node: knobs, names, inputs, selection, image data (A3, A4, B3, B4)."""
from __future__ import annotations

import re
from typing import Any

from . import _knobs as k
from ._classes import CLASSES, ClassSpec
from ._constants import INPUTS
from ._session import SESSION, next_serial, require_main

_NAME_OK = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
DETACHED = "A PythonObject is not attached to a node"


class Node:
    def __init__(self, class_name: str, parent: "Group | None", spec: ClassSpec | None = None) -> None:
        self._class = class_name
        self._spec = spec or CLASSES.get(class_name) or ClassSpec(1, lambda: [])
        self._parent = parent
        self._knobs: dict[str, k.Knob] = {}
        self._all: list[k.Knob] = []
        self._user: list[k.Knob] = []
        self._raw: list[tuple[str, str]] = []  # knobs read from a file this class does not know
        self._inputs: list[Node | None] = []
        self._deleted = False
        self._serial = next_serial()
        self._python_panel: Any = None
        from ._classes import common_knobs

        knobs = (common_knobs() if self._spec.common else []) + self._spec.knobs()
        for knob in knobs:
            self._attach(knob)

    # ------------------------------------------------------------------ plumbing
    def _attach(self, knob: k.Knob, user: bool = False) -> None:
        knob._node = self
        if knob.name():
            self._knobs[knob.name()] = knob
        self._all.append(knob)
        if user:
            self._user.append(knob)

    def _live(self, op: str) -> None:
        require_main(op)
        if self._deleted:
            raise ValueError(DETACHED)

    # ------------------------------------------------------------------ identity
    def Class(self) -> str:  # noqa: N802
        self._live("Node.Class")
        return self._class

    def name(self) -> str:
        self._live("Node.name")
        return self._knobs["name"]._value

    def fullName(self) -> str:  # noqa: N802
        self._live("Node.fullName")
        parent = self._parent
        if parent is None or parent._class == "Root":
            return self.name()
        return f"{parent.fullName()}.{self.name()}"

    def setName(self, name: str, uncollide: bool = True, updateExpressions: bool = False) -> None:  # noqa: N802,N803
        self._live("Node.setName")
        if not isinstance(name, str) or not _NAME_OK.match(name):
            raise ValueError(f"Illegal name {name!r}")
        siblings = {n._knobs["name"]._value for n in self._siblings() if n is not self}
        if name in siblings:
            if not uncollide:
                raise ValueError(f"{name} already exists")
            from ._nodes import unique_name

            name = unique_name(re.sub(r"\d+$", "", name) or name, self._parent, exclude=self)
        self._knobs["name"].setValue(name)

    def _siblings(self) -> list["Node"]:
        return list(self._parent._children) if self._parent is not None else []

    def parent(self) -> "Group | None":
        self._live("Node.parent")
        return self._parent

    def __repr__(self) -> str:
        if self._deleted:
            return f"<{self._class} (deleted)>"
        return f"<{self._class}({self._knobs['name']._value}) at {id(self):#x}>"

    # ------------------------------------------------------------------ knobs
    def __getitem__(self, name: str) -> k.Knob:
        self._live("Node.__getitem__")
        knob = self._knobs.get(name)
        if knob is None:
            raise NameError(f"knob {name} does not exist")
        return knob

    def knob(self, name: str | int) -> k.Knob | None:
        self._live("Node.knob")
        if isinstance(name, int):
            return self._all[name] if 0 <= name < len(self._all) else None
        return self._knobs.get(name)

    def knobs(self) -> dict[str, k.Knob]:
        self._live("Node.knobs")
        return dict(self._knobs)

    def allKnobs(self) -> list[k.Knob]:  # noqa: N802
        self._live("Node.allKnobs")
        return list(self._all)

    def numKnobs(self) -> int:  # noqa: N802
        return len(self._all)

    def addKnob(self, knob: k.Knob) -> None:  # noqa: N802
        self._live("Node.addKnob")
        if not isinstance(knob, k.Knob):
            raise TypeError("addKnob expects a knob")
        if knob.name() and knob.name() in self._knobs:
            raise ValueError(f"{self.name()} already has a knob named {knob.name()}")
        if knob.node() is not None:
            raise ValueError(f"knob {knob.name()} already belongs to a node")
        if (SESSION.auto_user_tab and not self._user and not isinstance(knob, k.Tab_Knob)
                and self._class not in ("PanelNode",)):
            self._attach(k.Tab_Knob("User", "User"), user=True)
        self._attach(knob, user=True)
        from ._callbacks import knob_set

        knob_set(knob)

    def removeKnob(self, knob: k.Knob) -> None:  # noqa: N802
        self._live("Node.removeKnob")
        if knob not in self._all:
            raise ValueError(f"{knob.name()} is not a knob of {self.name()}")
        self._all.remove(knob)
        if knob in self._user:
            self._user.remove(knob)
        if self._knobs.get(knob.name()) is knob:
            del self._knobs[knob.name()]
        knob._node = None

    def setTab(self, index: int) -> None:  # noqa: N802
        self._live("Node.setTab")

    def writeKnobs(self, flags: int = 3) -> str:  # noqa: N802
        from . import _nkfile

        return _nkfile.write_knobs(self, flags)

    def readKnobs(self, text: str) -> None:  # noqa: N802
        from . import _nkfile

        _nkfile.read_knobs(self, text)

    # ------------------------------------------------------------------ inputs
    def maximumInputs(self) -> int:  # noqa: N802
        self._live("Node.maximumInputs")
        return self._spec.max_inputs

    def minimumInputs(self) -> int:  # noqa: N802
        return 0

    def inputs(self) -> int:
        self._live("Node.inputs")
        for index in range(len(self._inputs) - 1, -1, -1):
            if self._inputs[index] is not None:
                return index + 1
        return 0

    def input(self, index: int) -> "Node | None":
        self._live("Node.input")
        node = self._inputs[index] if 0 <= index < len(self._inputs) else None
        return None if node is None or node._deleted else node

    def setInput(self, index: int, node: "Node | None") -> bool:  # noqa: N802
        self._live("Node.setInput")
        if index < 0 or index >= self.maximumInputs():
            return False
        if node is not None and (node._deleted or node._parent is not self._parent):
            return False
        while len(self._inputs) <= index:
            self._inputs.append(None)
        self._inputs[index] = node
        from ._callbacks import knob_set

        knob_set(self._knobs.get("name") or k.Knob("inputs"))
        return True

    def connectInput(self, index: int, node: "Node") -> bool:  # noqa: N802
        self._live("Node.connectInput")
        for i in range(index, self.maximumInputs()):
            if self.input(i) is None:
                return self.setInput(i, node)
        return False

    def dependencies(self, what: int = 15) -> list["Node"]:
        self._live("Node.dependencies")
        found: list[Node] = []
        if what & INPUTS:
            for index in range(self.inputs()):
                node = self.input(index)
                if node is not None and node not in found:
                    found.append(node)
        return found

    def dependent(self, what: int = 15, forceEvaluate: bool = True) -> list["Node"]:  # noqa: N803
        self._live("Node.dependent")
        if not what & INPUTS:
            return []
        return [n for n in self._siblings() if not n._deleted and self in n._inputs]

    # ------------------------------------------------------------------ position and selection
    def xpos(self) -> int:
        return self["xpos"]._value

    def ypos(self) -> int:
        return self["ypos"]._value

    def setXpos(self, x: int) -> None:  # noqa: N802
        self["xpos"].setValue(int(x))

    def setYpos(self, y: int) -> None:  # noqa: N802
        self["ypos"].setValue(int(y))

    def setXYpos(self, x: int, y: int) -> None:  # noqa: N802
        self.setXpos(x)
        self.setYpos(y)

    def screenWidth(self) -> int:  # noqa: N802
        self._live("Node.screenWidth")
        return 80 if SESSION.gui else 0

    def screenHeight(self) -> int:  # noqa: N802
        self._live("Node.screenHeight")
        return 18 if SESSION.gui else 0

    def autoplace(self) -> None:
        self._live("Node.autoplace")
        upstream = self.input(0)
        if upstream is not None:
            self.setXYpos(upstream.xpos(), upstream.ypos() + 100)

    def setSelected(self, selected: bool) -> None:  # noqa: N802
        self["selected"].setValue(bool(selected))

    def isSelected(self) -> bool:  # noqa: N802
        return bool(self["selected"]._value)

    def selectOnly(self) -> None:  # noqa: N802
        self._live("Node.selectOnly")
        for node in self._siblings():
            if not node._deleted and node is not self:
                node["selected"]._set_quietly(False)
        self.setSelected(True)

    def showControlPanel(self, forceFloat: bool = False) -> None:  # noqa: N802,N803
        self._live("Node.showControlPanel")
        if SESSION.gui:
            from ._callbacks import set_panel_open

            set_panel_open(self, True)

    def hideControlPanel(self) -> None:  # noqa: N802
        self._live("Node.hideControlPanel")
        from ._callbacks import set_panel_open

        set_panel_open(self, False)

    def shown(self) -> bool:
        self._live("Node.shown")
        return id(self) in SESSION.open_panels

    # ------------------------------------------------------------------ image data
    def format(self) -> Any:
        self._live("Node.format")
        from . import _image

        return _image.node_format(self)

    def width(self) -> int:
        return self.format().width()

    def height(self) -> int:
        return self.format().height()

    def pixelAspect(self) -> float:  # noqa: N802
        return self.format().pixelAspect()

    def firstFrame(self) -> int:  # noqa: N802
        self._live("Node.firstFrame")
        from . import _image

        return _image.node_range(self)[0]

    def lastFrame(self) -> int:  # noqa: N802
        self._live("Node.lastFrame")
        from . import _image

        return _image.node_range(self)[1]

    def frameRange(self) -> Any:  # noqa: N802
        from ._values import FrameRange

        return FrameRange(self.firstFrame(), self.lastFrame())

    def metadata(self, key: str | None = None, time: float | None = None, view: Any = None) -> Any:
        self._live("Node.metadata")
        from . import _image

        data = _image.node_metadata(self)
        return data if key is None else data.get(key)


