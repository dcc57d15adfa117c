"""``send_selected``: the one entry for sending shots from Nuke (menu, panel, terminal mode).

Main thread: collect the selected nodes, render the ones that are not plain Reads (a
temporary Write, ``render.py``), then hand the shots to the session, whose worker thread runs
the send pass (Nuke's collector with the cut, then the core's validate and submit) and
returns at once. Progress shows in a Nuke progress bar; its Cancel cancels the jobs.
"""
from __future__ import annotations

import time
from typing import Any, Sequence

import nuke

from shotloop.errors import PlateInvalid, ShotLoopError
from shotloop.host import ShotSelection
from shotloop.model import Recipe

from . import render, runtime


class NothingToSend(PlateInvalid):
    """No usable node was selected."""

    code = "nothing_to_send"


def send_selected(host: Any, recipe: Recipe, *, session: Any = None, profile: str = "",
                  nodes: Sequence[Any] | None = None) -> str:
    """Send the selected nodes (or ``nodes``) with ``recipe``; returns the batch id.

    Raises NothingToSend when nothing usable is selected, PlateInvalid when a render fails.
    Problems with single nodes are reported and the others are still sent.
    """
    session = session if session is not None else runtime.session()
    chosen = list(nodes) if nodes is not None else nuke.selectedNodes()
    collected = host.collect(chosen, time.strftime("%Y%m%d_%H%M%S"))
    for err in collected.errors:
        session.report_error(err)
    if not collected.selections:
        raise NothingToSend("no Read or image node is selected", field="selection",
                            fix="select the Read nodes (or any image node) to send")
    ready = [_rendered(host, selection, session) for selection in collected.selections]
    ready = [s for s in ready if s is not None]
    if not ready:
        raise NothingToSend("none of the selected nodes could be prepared", field="selection",
                            fix="see the errors above, fix them and send again")
    return session.submit(ready, recipe, profile=profile)


def _rendered(host: Any, selection: ShotSelection, session: Any) -> ShotSelection | None:
    if not selection.needs_render:
        return selection
    node = host.node(selection.node_id)
    try:
        if node is None:
            raise PlateInvalid(f"{selection.node_id} was deleted before it could be rendered",
                               shot=selection.shot.name, field="selection", fix="select it again")
        render.render_shot(node, selection.shot)
    except ShotLoopError as err:
        session.report_error(err)
        return None
    return selection
