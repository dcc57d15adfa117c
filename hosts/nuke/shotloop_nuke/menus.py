"""The ShotLoop menu, the Nodes-toolbar entry and the panel (GUI only: called from menu.py)."""
from __future__ import annotations

import nuke

from . import commands, panel


def build() -> None:
    menu = nuke.menu("Nuke").addMenu("ShotLoop")
    menu.addCommand("Send selected", commands.send_selected_command,
                    tooltip="Send the selected Reads (or render and send any image node)")
    menu.addCommand("Open panel", commands.open_panel)
    menu.addCommand("Versions of selected", commands.versions_of_selected,
                    tooltip="Load every published version of the selected shots into version stacks")
    menu.addSeparator()
    menu.addCommand("Link OTIO cut...", commands.link_cut)
    nodes = nuke.toolbar("Nodes").addMenu("ShotLoop")
    nodes.addCommand("ShotLoop Version Stack", commands.create_stack)
    panel.register()
