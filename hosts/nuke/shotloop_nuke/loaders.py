"""``VersionStackLoader``: the host's VersionLoader (load / update / switch / remove).

Each method is one named undo step on the main thread. The container on the stack holds ids
only (container id, shot, label, shown version, source node); everything else comes from the
version store through the agent.
"""
from __future__ import annotations

import contextlib
import uuid
from dataclasses import replace
from typing import Any, Iterator

import nuke

from shotloop.host import Container, VersionRef

from . import imprint, stack

LOADER = "NukeVersionStack"


@contextlib.contextmanager
def undo(name: str) -> Iterator[None]:
    nuke.Undo.begin(name)
    try:
        yield
    finally:
        nuke.Undo.end()


def new_container(shot: str, label: str, version: int = 0, source_id: str = "") -> Container:
    return Container(container_id=uuid.uuid4().hex, shot=shot, label=label, version=version,
                     loader=LOADER, source_id=source_id)


class VersionStackLoader:
    """Builds and drives version-stack nodes (see ``stack.py``)."""

    name = LOADER

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], str] = {}  # (shot, label) -> node name, checked on use

    # ------------------------------------------------------------------ finding
    def find(self, container_id: str) -> Any:
        for node, found in imprint.container_nodes():
            if found.container_id == container_id:
                return node
        return None

    def find_for(self, shot: str, label: str) -> tuple[Any, Container] | None:
        """The stack of ``shot``/``label``: the remembered node if it still carries that
        container (nodes can be renamed, deleted or pasted), else a scan of the script."""
        name = self._known.get((shot, label))
        if name:
            with nuke.root():
                node = nuke.toNode(name)
            found = imprint.read_container(node) if node is not None else None
            if found is not None and (found.shot, found.label, found.loader) == (shot, label, LOADER):
                return node, found
        for node, found in imprint.container_nodes():
            if found.shot == shot and found.label == label and found.loader == LOADER:
                self._known[(shot, label)] = node.fullName()
                return node, found
        return None

    def _node(self, container: Container) -> Any:
        node = self.find(container.container_id)
        if node is None:
            raise LookupError(f"no version stack for {container.shot}/{container.label} "
                              f"({container.container_id}) in this script")
        return node

    # ------------------------------------------------------------------ protocol
    def load(self, container: Container, version: VersionRef, *, colorspace: str = "",
             near: Any = None) -> str:
        """Create the stack for the container's shot/label showing ``version``; returns its node id."""
        with undo(f"ShotLoop: load {version.shot} {version.label}"):
            node = stack.create(container.shot, container.label)
            if near is not None:
                node.setXYpos(near.xpos() + 150, near.ypos())
            imprint.write_container(node, replace(container, version=version.number))
            stack.add_version(node, version, colorspace)
            stack.select(node, version.number)
            stack.refresh_look(node)
        return node.fullName()

    def update(self, container: Container, version: VersionRef, *, colorspace: str = "",
               follow: bool | None = None) -> None:
        """Add ``version`` to the stack; show it when the stack follows the latest."""
        node = self._node(container)
        with undo(f"ShotLoop: update {version.shot} {version.label}"):
            stack.add_version(node, version, colorspace)
            follows = node[stack.FOLLOW].value() if follow is None else follow
            if follows and version.number >= max(stack.numbers(node)):
                stack.select(node, version.number)
            elif stack.current(node) is None:
                stack.select(node, version.number)
            self._sync(node, container)

    def switch(self, container: Container, version: VersionRef) -> None:
        """Show ``version`` (it is added first if the stack does not hold it yet)."""
        node = self._node(container)
        with undo(f"ShotLoop: v{version.number:03d} of {version.shot} {version.label}"):
            if version.number not in stack.numbers(node):
                stack.add_version(node, version)
            stack.select(node, version.number)
            self._sync(node, container)

    def remove(self, container: Container) -> None:
        node = self.find(container.container_id)
        if node is None:
            return
        with undo(f"ShotLoop: remove {container.shot} {container.label}"):
            nuke.delete(node)

    # ------------------------------------------------------------------ helpers
    def _sync(self, node: Any, container: Container) -> None:
        """Container and look follow what the stack shows."""
        shown = stack.current(node)
        if shown is not None and shown != container.version:
            imprint.write_container(node, replace(container, version=shown))
        stack.refresh_look(node)

    def shown_changed(self, node: Any) -> None:
        """The user picked another version in the dropdown."""
        container = imprint.read_container(node)
        if container is not None:
            self._sync(node, container)
