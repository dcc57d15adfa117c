"""The shared ShotLoop panel (shotloop.ui) docked in Nuke.

``registerWidgetAsPanel`` stores a string that Nuke evaluates later, possibly when a saved
layout is restored before anything of ours was imported, so the string imports its module
itself. The widget module (``panel_widget``) imports Qt; nothing here does.
"""
from __future__ import annotations

import nuke
import nukescripts

PANEL_ID = "uk.shotloop.panel"
TITLE = "ShotLoop"
WIDGET = "__import__('shotloop_nuke.panel_widget', fromlist=['NukeShotLoopPanel']).NukeShotLoopPanel"


def register() -> None:
    """Make the panel available in Nuke's pane menus and to layout restore."""
    nukescripts.registerWidgetAsPanel(WIDGET, TITLE, PANEL_ID)


def show() -> None:
    """Dock the panel next to the Properties bin."""
    pane = nuke.getPaneFor("Properties.1")
    panel = nukescripts.registerWidgetAsPanel(WIDGET, TITLE, PANEL_ID, True)
    panel.addToPane(pane)
