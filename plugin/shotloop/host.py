"""The small protocol every host adapter implements, and the container imprint.

No host module is imported here: Nuke and Blender adapters implement ``Host`` and
``VersionLoader`` in hosts/, the core only talks to these shapes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Iterator, Protocol, runtime_checkable

from .model import EditContext, Shot, Version

CONTAINER_SCHEMA = "shotloop.container/1"
IMPRINT_KEY = "shotloop"


@dataclass(frozen=True)
class ShotSelection:
    """A shot the user selected in the host, with the id of the node/strip it came from."""

    node_id: str
    shot: Shot
    edit: EditContext | None = None
    needs_render: bool = False  # the input is not a plain file: the host renders it first


@dataclass(frozen=True)
class VersionRef:
    """Enough to find a published version in the store."""

    shot: str
    label: str
    number: int
    frames: str
    first: int
    last: int

    @classmethod
    def of(cls, version: Version) -> "VersionRef":
        return cls(version.shot, version.label, version.number, version.frames,
                   version.frame_range.first, version.frame_range.last)


@dataclass(frozen=True)
class Container:
    """What a host imprints on a version node or strip: ids only, never URLs or keys."""

    container_id: str
    shot: str
    label: str
    version: int
    loader: str = "VersionLoader"
    source_id: str = ""  # the node/strip the shot was sent from
    schema: str = CONTAINER_SCHEMA

    def to_json(self) -> str:
        return json.dumps(
            {
                "schema": self.schema,
                "container_id": self.container_id,
                "loader": self.loader,
                "shot": self.shot,
                "label": self.label,
                "version": self.version,
                "source_id": self.source_id,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> "Container":
        data = json.loads(text)
        if data.get("schema") != CONTAINER_SCHEMA:
            raise ValueError(f"not a ShotLoop container: {data.get('schema')!r}")
        return cls(
            container_id=str(data["container_id"]),
            shot=str(data["shot"]),
            label=str(data["label"]),
            version=int(data["version"]),
            loader=str(data.get("loader", "VersionLoader")),
            source_id=str(data.get("source_id", "")),
        )


@runtime_checkable
class Host(Protocol):
    name: str  # "nuke" | "blender"

    def selected_shots(self) -> list[ShotSelection]: ...

    def containers(self) -> Iterator[Container]: ...  # re-read from the scene every call

    def imprint(self, node_id: str, container: Container) -> None: ...

    def call_in_main_thread(self, fn: Callable[[], None]) -> None: ...


class VersionLoader(Protocol):
    def load(self, container: Container, version: VersionRef) -> str: ...  # new node/strip id

    def update(self, container: Container, version: VersionRef) -> None: ...

    def switch(self, container: Container, version: VersionRef) -> None: ...

    def remove(self, container: Container) -> None: ...
