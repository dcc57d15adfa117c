"""Render a node through a temporary Write to a scene-linear EXR sequence (main thread).

The Write writes the working space unchanged (its colour space is set to the working space,
so no conversion happens), half float, over the shot's frame range. It is built with
``nuke.nodes.Write`` and ``setInput`` so the user's selection and connections are left alone,
and it is deleted afterwards whatever happens. ``nuke.execute`` is Nuke's own documented
render: in the GUI it shows its modal progress bar (with Cancel) until the frames are written.
"""
from __future__ import annotations

import logging
import os
from typing import Any

import nuke

from shotloop.errors import PlateInvalid
from shotloop.model import Shot

from . import colour

log = logging.getLogger(__name__)


def render_shot(node: Any, shot: Shot) -> None:
    """Write ``shot.source`` from ``node`` over ``shot.frame_range``; raises PlateInvalid."""
    os.makedirs(os.path.dirname(shot.source), exist_ok=True)
    col = colour.settings()
    write = None
    parent = node.parent()
    group = parent if parent is not None else nuke.root()
    try:
        with group:
            write = nuke.nodes.Write()
            write.setInput(0, node)
            write["file"].setValue(shot.source)
            write["file_type"].setValue("exr")
            write["channels"].setValue("rgba")
            write["datatype"].setValue("16 bit half")
            item = colour.colorspace_item(write["colorspace"], col.working_space)
            if item is not None:
                write["colorspace"].setValue(item)
            else:
                write["raw"].setValue(True)  # no conversion: pixels stay in the working space
            write["create_directories"].setValue(True)
            write.setXYpos(node.xpos(), node.ypos() + 60)
            nuke.execute(write, shot.frame_range.first, shot.frame_range.last, 1)
    except RuntimeError as exc:  # render failed or was cancelled by the user
        raise PlateInvalid(f"rendering {node.fullName()} failed: {exc}", shot=shot.name,
                           field="render", fix="check the node renders in Nuke, then send again") from None
    finally:
        if write is not None:
            try:
                nuke.delete(write)
            except ValueError:  # already gone
                log.debug("temporary Write already deleted")
