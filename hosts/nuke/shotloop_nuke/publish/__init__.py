"""Nuke's side of the send pass (pyblish): the collector that runs in front of the core's."""
from __future__ import annotations

from .collect_nuke_shots import CollectNukeShots

__all__ = ["CollectNukeShots", "nuke_send_plugins"]


def nuke_send_plugins() -> list[type]:
    """Nuke's collector followed by the core send pass (collect, validate, submit)."""
    from shotloop.publish.send import send_plugins

    return [CollectNukeShots, *send_plugins()]
