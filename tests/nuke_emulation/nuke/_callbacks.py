"""Callback registries and dispatch, behaving as ``nuke_internal/callbacks.py`` (A7, B6)."""
from __future__ import annotations

import contextlib
import traceback
from typing import Any, Callable, Iterator

from ._session import SESSION

# registry -> (default nodeClass, per-node knob holding a script that runs first)
REGISTRIES: dict[str, tuple[str, str | None]] = {
    "onUserCreates": ("*", None),
    "onCreates": ("*", "onCreate"),
    "onScriptLoads": ("Root", "onScriptLoad"),
    "onScriptSaves": ("Root", "onScriptSave"),
    "onScriptCloses": ("Root", "onScriptClose"),
    "onDestroys": ("*", "onDestroy"),
    "knobChangeds": ("*", "knobChanged"),
    "updateUIs": ("*", "updateUI"),
    "autolabels": ("*", "autolabel"),
    "beforeRenders": ("Write", "beforeRender"),
    "beforeFrameRenders": ("Write", "beforeFrameRender"),
    "afterFrameRenders": ("Write", "afterFrameRender"),
    "afterRenders": ("Write", "afterRender"),
    "renderProgresses": ("Write", None),
    "filenameFilters": ("*", None),
}
REVERSED = {"autolabels", "filenameFilters"}


def _check(call: Any, args: Any, kwargs: Any) -> tuple:
    if not callable(call):
        raise ValueError("call must be a callable")
    if not isinstance(args, tuple):
        args = (args,)
    if not isinstance(kwargs, dict):
        raise ValueError("kwargs must be a dictionary")
    return args


def add(registry: str, call: Callable, args: Any = (), kwargs: Any = None,
        nodeClass: str | None = None, node: Any = None) -> None:  # noqa: N803
    kwargs = {} if kwargs is None else kwargs
    args = _check(call, args, kwargs)
    node_class = nodeClass or REGISTRIES[registry][0]
    entries = SESSION.callbacks[registry].setdefault(node_class, [])
    remove(registry, call, args, kwargs, node_class, node)
    entries.append((call, args, kwargs, node))


def remove(registry: str, call: Callable, args: Any = (), kwargs: Any = None,
           nodeClass: str | None = None, node: Any = None) -> None:  # noqa: N803
    kwargs = {} if kwargs is None else kwargs
    if not isinstance(args, tuple):
        args = (args,)
    node_class = nodeClass or REGISTRIES[registry][0]
    entries = SESSION.callbacks[registry].get(node_class, [])
    entry = (call, args, kwargs, node)
    if entry in entries:
        entries.remove(entry)


@contextlib.contextmanager
def context(node: Any, knob: Any = None, group: Any = None) -> Iterator[None]:
    SESSION.context.append((node, knob, group if group is not None else SESSION.root))
    try:
        yield
    finally:
        SESSION.context.pop()


def this_node() -> Any:
    return SESSION.context[-1][0] if SESSION.context else SESSION.root


def this_knob() -> Any:
    return SESSION.context[-1][1] if SESSION.context else None


def this_group() -> Any:
    if SESSION.context:
        return SESSION.context[-1][2]
    return SESSION.group_stack[-1] if SESSION.group_stack else SESSION.root


def run(registry: str, node: Any, knob: Any = None) -> list[Any]:
    """Run the node's own script knob, then class-specific, then ``'*'`` callbacks."""
    import nuke

    results: list[Any] = []
    knob_script = REGISTRIES[registry][1]
    group = node.parent() if node is not None and node.parent() is not None else SESSION.root
    with context(node, knob, group):
        own = node.knob(knob_script) if knob_script and node is not None else None
        if own is not None and own._value:
            try:
                exec(own._value, {"nuke": nuke, "__name__": "__main__"})  # noqa: S102
            except Exception:  # Nuke prints callback errors and carries on
                traceback.print_exc()
        table = SESSION.callbacks.get(registry, {})
        entries = list(table.get(node.Class(), [])) if node is not None else []
        entries += list(table.get("*", []))
        if registry in REVERSED:
            entries.reverse()
        for call, args, kwargs, target in entries:
            if target is not None and target is not node:
                continue
            try:
                results.append(call(*args, **kwargs))
            except Exception:
                traceback.print_exc()
    return results


def knob_set(knob: Any) -> None:
    """Every knob change marks the script modified; under the 17.1 policy it fires knobChanged."""
    node = knob.node()
    root = SESSION.root
    if root is not None and not getattr(SESSION, "loading", False):
        root._modified = True
    if node is None or SESSION.in_knob_changed:
        return
    if SESSION.knob_changed_policy == "always" or knob.getFlag(65536):
        fire_knob_changed(knob)


def fire_knob_changed(knob: Any) -> None:
    node = knob.node()
    if node is None or SESSION.in_knob_changed:
        return
    SESSION.in_knob_changed = True
    try:
        panel = getattr(node, "_python_panel", None)
        if panel is not None:
            with context(node, knob, SESSION.root):
                try:
                    panel.knobChanged(knob)
                except Exception:
                    traceback.print_exc()
        else:
            run("knobChangeds", node, knob)
    finally:
        SESSION.in_knob_changed = False


def user_set(knob: Any, value: Any) -> None:
    """A person edits a knob in a properties panel."""
    was = SESSION.in_knob_changed
    SESSION.in_knob_changed = True  # setValue itself must not fire: the user edit fires once
    try:
        if hasattr(knob, "execute") and value is None:
            pass
        else:
            knob.setValue(value)
    finally:
        SESSION.in_knob_changed = was
    node = knob.node()
    panel_open = node is not None and (id(node) in SESSION.open_panels
                                       or getattr(node, "_python_panel", None) is not None)
    if SESSION.knob_changed_policy == "always" or panel_open:
        fire_knob_changed(knob)


def set_panel_open(node: Any, shown: bool) -> None:
    """Open/close a node's properties panel; knobChanged sees the dummy knob ``showPanel``."""
    from ._knobs import Knob

    if shown == (id(node) in SESSION.open_panels):
        return
    if shown:
        SESSION.open_panels.add(id(node))
    dummy = Knob("showPanel")
    dummy._node = node
    fire_knob_changed(dummy)
    if not shown:
        SESSION.open_panels.discard(id(node))
