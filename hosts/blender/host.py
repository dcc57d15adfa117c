"""BlenderHost: ShotLoop's Host protocol over the Sequencer of the scene being edited."""
from __future__ import annotations

from typing import Any, Callable, Iterator

from shotloop.errors import PlateInvalid
from shotloop.host import Container, ShotSelection

from . import collect, compat, imprint


class BlenderHost:
    """Reads and edits the Sequencer scene; ``post`` queues work for the main thread."""

    name = "blender"

    def __init__(self, post: Callable[[Callable[[], None]], None],
                 scene: Callable[[], Any] = compat.edit_scene) -> None:
        self._post = post
        self._scene = scene

    @property
    def scene(self) -> Any:
        return self._scene()

    def collect(self, strips: Any = None, *, edit: bool = True) -> collect.Collected:
        """Shots for the selected strips, with a ShotLoopError for each strip that cannot go."""
        return collect.collect(self.scene, strips, edit=edit)

    def selected_shots(self) -> list[ShotSelection]:
        return self.collect().selections

    def containers(self) -> Iterator[Container]:
        for _strip, container in imprint.containers(self.scene):
            yield container

    def imprint(self, node_id: str, container: Container) -> None:
        strip = compat.find_strip(self.scene, node_id)
        if strip is None:
            raise PlateInvalid(f"strip {node_id} is not in the Sequencer", shot=container.shot,
                               field="node_id", fix="select an existing strip")
        imprint.write_container(strip, container)

    def call_in_main_thread(self, fn: Callable[[], None]) -> None:
        self._post(fn)
