"""``NukeHost``: ShotLoop's Host protocol on Nuke's documented Python API."""
from __future__ import annotations

import queue
import threading
import time
from typing import Any, Callable, Iterator

import nuke

from shotloop.host import Container, ShotSelection

from . import collect, imprint, settings


class NukeHost:
    """Reads the selection, finds containers, imprints them, and reaches the main thread.

    Must be created on Nuke's main thread (``init.py`` does). In the GUI, work from other
    threads reaches the main thread through ``nuke.executeInMainThread``; in terminal mode
    (``nuke -t``) there is no event loop, so it is queued here and ``run_queued`` runs it.
    """

    name = "nuke"

    def __init__(self) -> None:
        self._main = threading.current_thread()
        self._queue: queue.Queue[Callable[[], None]] = queue.Queue()
        self.last_errors: list[Any] = []

    # ------------------------------------------------------------------ Host protocol
    def selected_shots(self) -> list[ShotSelection]:
        collected = self.collect(nuke.selectedNodes())
        self.last_errors = list(collected.errors)
        return collected.selections

    def containers(self) -> Iterator[Container]:
        for _, container in imprint.container_nodes():
            yield container

    def imprint(self, node_id: str, container: Container) -> None:
        node = self.node(node_id)
        if node is None:
            raise LookupError(f"no node {node_id} in this script")
        imprint.write_container(node, container)

    def call_in_main_thread(self, fn: Callable[[], None]) -> None:
        if threading.current_thread() is self._main:
            fn()
        elif nuke.GUI:
            nuke.executeInMainThread(fn)
        else:
            self._queue.put(fn)

    # ------------------------------------------------------------------ helpers
    def collect(self, nodes: list[Any], tag: str | None = None) -> collect.Collected:
        return collect.collect(nodes, self.render_root(), tag or time.strftime("%Y%m%d_%H%M%S"))

    def store_root(self) -> str:
        return settings.store_root()

    def render_root(self) -> str:
        root = settings.store_root()
        if root:
            return root
        import tempfile

        return f"{tempfile.gettempdir()}/shotloop"

    def node(self, node_id: str) -> Any:
        """A node by its full name (``Group1.Read1``), or None when it is gone."""
        if not node_id:
            return None
        with nuke.root():
            return nuke.toNode(node_id)

    @property
    def is_main_thread(self) -> bool:
        return threading.current_thread() is self._main

    def run_queued(self, timeout: float = 0.0) -> int:
        """Terminal mode: run what worker threads queued for the main thread (waits up to
        ``timeout`` for the first item). Returns how many ran."""
        count = 0
        wait = timeout
        while True:
            try:
                fn = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
            except queue.Empty:
                return count
            fn()
            count += 1
            wait = 0.0
