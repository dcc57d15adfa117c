"""Group and Root, the group context, and node construction (A3, B4)."""
from __future__ import annotations

import re
from typing import Any, Iterator

from ._classes import CLASSES, ClassSpec
from ._node import DETACHED, Node  # noqa: F401 - re-exported for the other modules
from ._session import SESSION, require_main


class Group(Node):
    def __init__(self, class_name: str = "Group", parent: "Group | None" = None,
                 spec: ClassSpec | None = None) -> None:
        self._children: list[Node] = []
        super().__init__(class_name, parent, spec)

    def begin(self) -> "Group":
        self._live("Group.begin")
        SESSION.group_stack.append(self)
        return self

    def end(self) -> None:
        require_main("Group.end")
        if SESSION.group_stack and SESSION.group_stack[-1] is self:
            SESSION.group_stack.pop()
        elif self in SESSION.group_stack:
            SESSION.group_stack.remove(self)

    def __enter__(self) -> "Group":
        return self.begin()

    def __exit__(self, *exc: Any) -> None:
        self.end()

    def nodes(self) -> list[Node]:
        self._live("Group.nodes")
        return [n for n in self._children if not n._deleted]

    def node(self, name: str) -> Node | None:
        self._live("Group.node")
        first, _, rest = name.partition(".")
        for child in self._children:
            if not child._deleted and child._knobs["name"]._value == first:
                if rest:
                    return child.node(rest) if isinstance(child, Group) else None
                return child
        return None

    def output(self) -> Node | None:
        for child in self.nodes():
            if child._class == "Output":
                return child
        return None

    def maximumInputs(self) -> int:  # noqa: N802
        self._live("Group.maximumInputs")
        return sum(1 for c in self._children if not c._deleted and c._class == "Input")

    def run(self, call: Any, *args: Any) -> Any:
        with self:
            return call(*args)


class Root(Group):
    """The script's top-level group. ``nuke.Root()`` returns the current one, like ``nuke.root()``."""

    _creating = False

    def __new__(cls, *args: Any, **kwargs: Any) -> "Root":
        if not Root._creating:
            return SESSION.root
        return super().__new__(cls)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if not Root._creating:
            return
        super().__init__("Root", None)
        self._knobs["format"]._value = self._knobs["format"]._default = _root_format()
        self._modified = False

    @classmethod
    def _create(cls) -> "Root":
        Root._creating = True
        try:
            return cls()
        finally:
            Root._creating = False

    def name(self) -> str:
        self._live("Root.name")
        return self._knobs["name"]._value or "Root"

    def fullName(self) -> str:  # noqa: N802
        return "root"

    def setName(self, name: str, uncollide: bool = True, updateExpressions: bool = False) -> None:  # noqa: N802,N803
        self._knobs["name"].setValue(name)

    def firstFrame(self) -> int:  # noqa: N802
        return int(self["first_frame"].value())

    def lastFrame(self) -> int:  # noqa: N802
        return int(self["last_frame"].value())

    def realFps(self) -> float:  # noqa: N802
        return float(self["fps"].value())

    def fps(self) -> int:
        return int(round(self.realFps()))

    def format(self) -> Any:
        return self["format"].value()

    def modified(self) -> bool:
        require_main("Root.modified")
        return self._modified

    def setModified(self, modified: bool) -> None:  # noqa: N802
        require_main("Root.setModified")
        self._modified = bool(modified)

    def setFrame(self, frame: int) -> None:  # noqa: N802
        SESSION.frame = int(frame)

    def xpos(self) -> int:
        return 0

    def ypos(self) -> int:
        return 0


def _root_format() -> Any:
    from ._values import find_format

    return find_format("2K_Super_35(full-ap)")


def unique_name(prefix: str, group: Group | None, exclude: Node | None = None) -> str:
    """``<prefix><N>`` with N = highest existing number + 1 (real rule unverified)."""
    highest = 0
    pattern = re.compile(re.escape(prefix) + r"(\d+)$")
    for node in group._children if group is not None else []:
        if node._deleted or node is exclude:
            continue
        m = pattern.match(node._knobs["name"]._value)
        if m:
            highest = max(highest, int(m.group(1)))
    return f"{prefix}{highest + 1}"


def current_group() -> Group:
    return SESSION.group_stack[-1] if SESSION.group_stack else SESSION.root


def make(class_name: str, group: Group | None = None) -> Node:
    """Construct a node of ``class_name`` with class defaults, named, inside ``group``."""
    group = group if group is not None else current_group()
    spec = CLASSES.get(class_name)
    if spec is None:
        raise RuntimeError(f"{class_name}: unknown command")
    node: Node = Group(class_name, group, spec) if class_name == "Group" else Node(class_name, group, spec)
    prefix = re.sub(r"\d+$", "", class_name) or class_name
    node._knobs["name"]._set_quietly(unique_name(prefix, group))
    if class_name == "Input":
        node._knobs["number"]._set_quietly(sum(1 for c in group._children if not c._deleted and c._class == "Input"))
    group._children.append(node)
    if SESSION.root is not None and not getattr(SESSION, "loading", False):
        SESSION.root._modified = True
    return node


def make_unknown(class_name: str, group: Group) -> Node:
    node = Node(class_name, group, ClassSpec(10, lambda: []))
    node._knobs["name"]._set_quietly(unique_name(class_name, group))
    group._children.append(node)
    return node


def walk(group: Group, recurse: bool) -> Iterator[Node]:
    for node in group.nodes():
        yield node
        if recurse and isinstance(node, Group):
            yield from walk(node, True)
