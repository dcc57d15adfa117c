"""The ``shotloop`` ID property on strips: what ShotLoop remembers in the .blend.

Two kinds, told apart by their schema:

* a source strip (a plate that was sent) holds ``shotloop.source/1``: its stable ``shot_id``,
  the shot name the store knows it by, which version is current per label and whether A/B
  shows the source;
* a version strip holds a ``shotloop.container/1`` (``shotloop.host.Container``).

Both record the owning strip's name: split/duplicate copy ID properties, so a strip whose
name differs from ``owner`` while the owner still exists is a copy and gets its own id.
Ids only: never URLs, paths with tokens or keys. The ID property (not an add-on property)
is used because it reads the same in 4.2 and 5.0 and survives the add-on being disabled.
"""
from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass, field, replace
from typing import Any, Iterator, Mapping

from shotloop.host import CONTAINER_SCHEMA, IMPRINT_KEY, Container

from . import compat

log = logging.getLogger(__name__)

SOURCE_SCHEMA = "shotloop.source/1"
SHOWING_VERSION = "version"
SHOWING_SOURCE = "source"


@dataclass(frozen=True)
class SourceImprint:
    shot_id: str
    shot: str
    owner: str
    current: Mapping[str, int] = field(default_factory=dict)  # label -> current version number
    label: str = ""  # the label whose current version is the one shown
    showing: str = SHOWING_VERSION  # A/B: the current version, or the source plate

    def to_json(self) -> str:
        return json.dumps({"schema": SOURCE_SCHEMA, "shot_id": self.shot_id, "shot": self.shot,
                           "owner": self.owner, "current": dict(self.current), "label": self.label,
                           "showing": self.showing}, sort_keys=True)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> "SourceImprint":
        return cls(shot_id=str(data["shot_id"]), shot=str(data["shot"]), owner=str(data.get("owner", "")),
                   current={str(k): int(v) for k, v in dict(data.get("current") or {}).items()},
                   label=str(data.get("label", "")), showing=str(data.get("showing", SHOWING_VERSION)))

    @property
    def shown(self) -> tuple[str, int] | None:
        """(label, version) of the take on view, or None when the plate is."""
        if self.showing != SHOWING_VERSION or self.label not in self.current:
            return None
        return self.label, self.current[self.label]


def _read(strip: Any) -> dict[str, Any] | None:
    raw = strip.get(IMPRINT_KEY) if hasattr(strip, "get") else None
    if not isinstance(raw, str):
        return None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        log.warning("strip %s has an unreadable ShotLoop imprint; ignored", strip.name)
        return None
    return data if isinstance(data, dict) else None


def read_source(strip: Any) -> SourceImprint | None:
    data = _read(strip)
    if data is None or data.get("schema") != SOURCE_SCHEMA:
        return None
    try:
        return SourceImprint.from_data(data)
    except (KeyError, TypeError, ValueError):
        return None


def write_source(strip: Any, imprint: SourceImprint) -> None:
    strip[IMPRINT_KEY] = imprint.to_json()


def read_container(strip: Any) -> tuple[Container, str] | None:
    """The strip's container and the name of the strip that owns the imprint."""
    data = _read(strip)
    if data is None or data.get("schema") != CONTAINER_SCHEMA:
        return None
    try:
        container = Container.from_json(json.dumps(data))
    except (KeyError, TypeError, ValueError):
        return None
    return container, str(data.get("owner") or strip.name)


def write_container(strip: Any, container: Container) -> None:
    data = json.loads(container.to_json())
    data["owner"] = strip.name
    strip[IMPRINT_KEY] = json.dumps(data, sort_keys=True)


def ensure_source(scene: Any, strip: Any) -> SourceImprint:
    """The strip's source imprint, created on first use; a copy of another strip gets its own."""
    current = read_source(strip)
    if current is not None and current.owner == strip.name:
        return current
    if current is not None:
        original = compat.find_strip(scene, current.owner)
        original_imprint = read_source(original) if original is not None else None
        if original_imprint is None or original_imprint.shot_id != current.shot_id:
            renamed = replace(current, owner=strip.name)  # a rename, not a copy: keep the identity
            write_source(strip, renamed)
            return renamed
    fresh = SourceImprint(shot_id=uuid.uuid4().hex, shot=strip.name, owner=strip.name)
    write_source(strip, fresh)
    return fresh


def sources(scene: Any) -> Iterator[tuple[Any, SourceImprint]]:
    for strip in compat.iter_strips(scene):
        imprint = read_source(strip)
        if imprint is not None and imprint.owner == strip.name:
            yield strip, imprint


def containers(scene: Any) -> Iterator[tuple[Any, Container]]:
    """Version strips with their containers, re-read from the scene. A copy (split or
    duplicate of a version strip whose owner still exists) is left to the artist."""
    found = [(strip, read_container(strip)) for strip in compat.iter_strips(scene)]
    read = [(strip, c_owner[0], c_owner[1]) for strip, c_owner in found if c_owner is not None]
    owned = {c.container_id for strip, c, owner in read if owner == strip.name}
    for strip, container, owner in read:
        if owner == strip.name or container.container_id not in owned:
            yield strip, container


def find_source(scene: Any, shot_id: str) -> tuple[Any, SourceImprint] | None:
    for strip, imprint in sources(scene):
        if imprint.shot_id == shot_id:
            return strip, imprint
    return None


def find_container(scene: Any, container_id: str) -> tuple[Any, Container] | None:
    for strip, container in containers(scene):
        if container.container_id == container_id:
            return strip, container
    return None


def stack(scene: Any, shot_id: str, label: str | None = None) -> list[tuple[Any, Container]]:
    """The version strips of one source (optionally one label), by version number."""
    found = [(s, c) for s, c in containers(scene)
             if c.source_id == shot_id and (label is None or c.label == label)]
    return sorted(found, key=lambda sc: (sc[1].label, sc[1].version))
