"""Emulated ``nukescripts.panels``: PythonPanel and widget panels (A9, B8)."""
from __future__ import annotations

from typing import Any, Callable

import nuke
from nuke import _nodes
from nuke._session import SESSION, require_gui


class PythonPanel:
    """A knob-based panel backed by a hidden PanelNode; override ``knobChanged``."""

    def __init__(self, title: str = "", id: str = "", scrollable: bool = True) -> None:  # noqa: A002
        self._title = title
        self._id = id
        self.__node = _nodes.Node("PanelNode", None)
        self.__node._knobs["name"]._set_quietly(id or "PythonPanel")
        self.__node._python_panel = self
        self.shown = False
        self.pane: Any = None

    def addKnob(self, knob: nuke.Knob) -> None:  # noqa: N802
        knob.setFlag(nuke.NO_UNDO | nuke.NO_ANIMATION)
        self.__node.addKnob(knob)

    def removeKnob(self, knob: nuke.Knob) -> None:  # noqa: N802
        self.__node.removeKnob(knob)

    def knobs(self) -> dict[str, nuke.Knob]:
        return {k: v for k, v in self.__node.knobs().items() if k != "name"}

    def knobChanged(self, knob: nuke.Knob) -> None:  # noqa: N802
        pass

    def showModalDialog(self) -> Any:  # noqa: N802
        from nuke._ui import _dialog

        return _dialog("modal", self._title)

    def show(self) -> None:
        require_gui("PythonPanel.show")
        self.shown = True

    def hide(self) -> None:
        self.shown = False

    def addToPane(self, pane: Any = None) -> None:  # noqa: N802
        require_gui("PythonPanel.addToPane")
        custom = getattr(self, "customKnob", None)
        if custom is not None:
            custom.getObject().makeUI()
        self.pane = pane
        self.shown = True
        if pane is not None:
            pane.panels.append(self)


def registerPanel(id: str, command: Callable[[], Any]) -> None:  # noqa: A002,N802
    SESSION.panels[id] = command


def unregisterPanel(id: str, command: Any = None) -> None:  # noqa: A002,N802
    SESSION.panels.pop(id, None)


def restorePanel(id: str) -> Any:  # noqa: A002,N802
    return SESSION.panels[id]()


class WidgetKnob:
    """What the PyCustom_Knob evaluates to; ``makeUI`` makes the widget with no arguments."""

    def __init__(self, widget: type) -> None:
        self.widgetClass = widget
        self.widget: Any = None

    def makeUI(self) -> Any:  # noqa: N802
        if self.widget is None:
            self.widget = self.widgetClass()
        return self.widget


def registerWidgetAsPanel(widget: str, name: str, id: str, create: bool = False) -> Any:  # noqa: A002,N802
    """``widget`` is a Python expression (a string) evaluated later, in a bare namespace."""
    if not isinstance(widget, str):
        raise TypeError("registerWidgetAsPanel: widget must be a string expression")

    class Panel(PythonPanel):
        def __init__(self) -> None:
            super().__init__(name, id)
            self.customKnob = nuke.PyCustom_Knob(
                name, "", f"__import__('nukescripts').panels.WidgetKnob({widget})")
            self.addKnob(self.customKnob)

    menu = nuke.menu("Pane")
    menu.addCommand(name, lambda: Panel().addToPane())
    registerPanel(id, Panel)
    return Panel() if create else None
