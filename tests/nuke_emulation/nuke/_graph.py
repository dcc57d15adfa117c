"""Module-level node functions: create, find, select, delete, knob access (A3, B4)."""
from __future__ import annotations

from typing import Any, Callable

from . import _callbacks, _nodes, _tcl
from ._constants import REPLACE
from ._session import SESSION, require_main
from ._values import Format, find_format


def root() -> Any:
    return SESSION.root


def _apply_defaults(node: Any) -> None:
    for key in (f"*.", f"{node._class}."):
        for name, value in SESSION.knob_defaults.items():
            if name.startswith(key):
                knob = node.knob(name[len(key):])
                if knob is not None:
                    knob.fromScript(value)


def createNode(node: str, args: str = "", inpanel: bool = True) -> Any:  # noqa: N802
    """What a user action does: defaults, connect to the selection, select, callbacks."""
    require_main("createNode")
    group = _nodes.current_group()
    try:
        upstream = selectedNode()
    except ValueError:
        upstream = None
    new = _nodes.make(node, group)
    _apply_defaults(new)
    words = _tcl.split_words(args) if args else []
    for name, value in zip(words[0::2], words[1::2]):
        if name == "name":
            new.setName(value)
            continue
        knob = new.knob(name)
        if knob is None:
            raise RuntimeError(f"{new.name()}: no knob named {name}")
        knob.fromScript(value)
    if upstream is not None and new.maximumInputs() > 0:
        new.setInput(0, upstream)
        new.setXYpos(upstream.xpos(), upstream.ypos() + 100)
    for other in group.nodes():
        other["selected"]._set_quietly(False)
    new["selected"]._set_quietly(True)
    if SESSION.gui:
        _callbacks.run("onUserCreates", new)
    _callbacks.run("onCreates", new)
    if SESSION.gui and inpanel:
        _callbacks.set_panel_open(new, True)
    return new


class _NodeFactory:
    """``nuke.nodes.Read(file=..., name=..., inputs=[...])``: scripting creation."""

    def __getattr__(self, class_name: str) -> Callable[..., Any]:
        if class_name.startswith("_"):
            raise AttributeError(class_name)

        def create(**knobs: Any) -> Any:
            require_main(f"nodes.{class_name}")
            new = _nodes.make(class_name, _nodes.current_group())
            _callbacks.run("onCreates", new)  # before keyword knobs (pessimistic, reference B4)
            inputs = knobs.pop("inputs", None)
            name = knobs.pop("name", None)
            if name is not None:
                new.setName(name)
            for key, value in knobs.items():
                new[key].setValue(value)
            for index, source in enumerate(inputs or []):
                new.setInput(index, source)
            return new

        return create


nodes = _NodeFactory()


def toNode(name: str) -> Any:  # noqa: N802
    require_main("toNode")
    if name == "root":
        return SESSION.root
    if name == "preferences":
        return SESSION.preferences
    if "." in name:
        first = name.split(".", 1)[0]
        base = SESSION.root if SESSION.root.node(first) is not None else _nodes.current_group()
        return base.node(name)
    return _nodes.current_group().node(name)


def allNodes(filter: str | None = None, group: Any = None, recurseGroups: bool = False) -> list[Any]:  # noqa: A002,N802,N803
    require_main("allNodes")
    where = group if group is not None else _nodes.current_group()
    found = list(_nodes.walk(where, recurseGroups))
    return [n for n in found if filter is None or n._class == filter]


def _topological(nodes_: list[Any]) -> list[Any]:
    order: list[Any] = []
    seen: set[int] = set()
    wanted = {id(n) for n in nodes_}

    def visit(node: Any) -> None:
        if id(node) in seen:
            return
        seen.add(id(node))
        for index in range(node.inputs()):
            source = node.input(index)
            if source is not None and id(source) in wanted:
                visit(source)
        order.append(node)

    for node in sorted(nodes_, key=lambda n: n._serial):
        visit(node)
    return order


def selectedNodes(filter: str | None = None) -> list[Any]:  # noqa: A002,N802
    require_main("selectedNodes")
    chosen = [n for n in _nodes.current_group().nodes() if n["selected"]._value]
    if filter is not None:
        chosen = [n for n in chosen if n._class == filter]
    return _topological(chosen)


def selectedNode() -> Any:  # noqa: N802
    require_main("selectedNode")
    chosen = selectedNodes()
    if not chosen:
        raise ValueError("no node selected")
    return chosen[-1]


def selectAll() -> None:  # noqa: N802
    for node in _nodes.current_group().nodes():
        node.setSelected(True)


def invertSelection() -> None:  # noqa: N802
    for node in _nodes.current_group().nodes():
        node.setSelected(not node.isSelected())


def delete(node: Any) -> None:
    require_main("delete")
    node._live("delete")
    _destroy(node)


def _destroy(node: Any) -> None:
    _callbacks.run("onDestroys", node)  # groups before their children
    if isinstance(node, _nodes.Group):
        for child in list(node._children):
            if not child._deleted:
                _destroy(child)
    parent = node._parent
    if parent is not None:
        for other in parent._children:
            other._inputs = [None if n is node else n for n in other._inputs]
        parent._children.remove(node)
    node._deleted = True
    if SESSION.root is not None:
        SESSION.root._modified = True


def thisNode() -> Any:  # noqa: N802
    return _callbacks.this_node()


def thisKnob() -> Any:  # noqa: N802
    return _callbacks.this_knob()


def thisGroup() -> Any:  # noqa: N802
    return _callbacks.this_group()


def thisClass() -> str:  # noqa: N802
    return _callbacks.this_node().Class()


def knobDefault(name: str, value: str | None = None) -> str | None:  # noqa: N802
    if value is None:
        return SESSION.knob_defaults.get(name)
    SESSION.knob_defaults[name] = str(value)
    return None


def knob(name: str, value: str | None = None, type: bool = False) -> Any:  # noqa: A002
    require_main("knob")
    node_name, _, knob_name = name.rpartition(".")
    owner = toNode(node_name) if node_name else thisNode()
    if owner is None:
        raise ValueError(f"{name}: no such node")
    target = owner[knob_name]
    if type:
        return target.type_id
    if value is not None:
        target.fromScript(value)
        return None
    return target.toScript()


def value(name: str, default: str | None = None) -> str:
    require_main("value")
    try:
        return _tcl.knob_text(_tcl.resolve_knob(name, thisNode()))
    except NameError:
        if default is not None:
            return default
        raise


def tcl(command: str, *args: Any) -> str:
    require_main("tcl")
    return _tcl.run(" ".join([command, *map(str, args)]))


def filename(node: Any, flags: int = 0) -> str | None:
    require_main("filename")
    knob_ = node.knob("file")
    if knob_ is None:
        return None
    return knob_.evaluate() if flags & REPLACE else knob_.getValue()


def frame(f: int | None = None) -> int:
    if f is not None:
        SESSION.frame = int(f)
    return SESSION.frame


def formats() -> list[Format]:
    return list(SESSION.formats)


def addFormat(spec: str) -> Format | None:  # noqa: N802
    fmt = Format.parse(spec)
    if fmt.name() and find_format(fmt.name()) is not None:
        return find_format(fmt.name())
    SESSION.formats.append(fmt)
    return fmt
