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

import functools
import json
import logging
import uuid
from dataclasses import dataclass, field, replace
from types import MappingProxyType
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


@functools.lru_cache(maxsize=8192)
def _parse(raw: str) -> Mapping[str, Any] | None:
    """Imprints are re-read on every call; parsing each distinct text once keeps that cheap."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return None
    return MappingProxyType(data) if isinstance(data, dict) else None


def _read(strip: Any) -> Mapping[str, Any] | None:
    raw = strip.get(IMPRINT_KEY) if hasattr(strip, "get") else None
    if not isinstance(raw, str):
        return None
    data = _parse(raw)
    if data is None:
        log.warning("strip %s has an unreadable ShotLoop imprint; ignored", strip.name)
    return data


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
        container = Container(container_id=str(data["container_id"]), shot=str(data["shot"]),
                              label=str(data["label"]), version=int(data["version"]),
                              loader=str(data.get("loader", "VersionLoader")),
                              source_id=str(data.get("source_id", "")))
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


class Index:
    """Every imprint of a scene, read in one pass (use one per operation, never keep it:
    strips are looked up again next time). A copy of a version strip (split or duplicate
    whose owner still exists) is left to the artist; a copied source is not a source."""

    def __init__(self, scene: Any) -> None:
        self.sources: dict[str, tuple[Any, SourceImprint]] = {}
        self.takes: list[tuple[Any, Container]] = []
        read = []
        for strip in compat.iter_strips(scene):
            data = _read(strip)
            if data is None:
                continue
            if data.get("schema") == SOURCE_SCHEMA:
                source = read_source(strip)
                if source is not None and source.owner == strip.name:
                    self.sources.setdefault(source.shot_id, (strip, source))
            elif data.get("schema") == CONTAINER_SCHEMA:
                found = read_container(strip)
                if found is not None:
                    read.append((strip, found[0], found[1]))
        owned = {c.container_id for strip, c, owner in read if owner == strip.name}
        self.takes = [(strip, c) for strip, c, owner in read
                      if owner == strip.name or c.container_id not in owned]

    def source(self, shot_id: str) -> tuple[Any, SourceImprint] | None:
        return self.sources.get(shot_id)

    def set_source(self, strip: Any, imprint: SourceImprint) -> None:
        write_source(strip, imprint)
        self.sources[imprint.shot_id] = (strip, imprint)

    def add(self, strip: Any, container: Container) -> None:
        write_container(strip, container)
        self.takes = [(s, c) for s, c in self.takes if s != strip] + [(strip, container)]

    def stack(self, shot_id: str, label: str | None = None) -> list[tuple[Any, Container]]:
        found = [(s, c) for s, c in self.takes if c.source_id == shot_id and (label is None or c.label == label)]
        return sorted(found, key=lambda sc: (sc[1].label, sc[1].version))

    def find(self, shot_id: str, label: str, number: int) -> tuple[Any, Container] | None:
        return next(((s, c) for s, c in self.stack(shot_id, label) if c.version == number), None)

    def container(self, container_id: str) -> tuple[Any, Container] | None:
        return next(((s, c) for s, c in self.takes if c.container_id == container_id), None)


def sources(scene: Any) -> Iterator[tuple[Any, SourceImprint]]:
    return iter(list(Index(scene).sources.values()))


def containers(scene: Any) -> Iterator[tuple[Any, Container]]:
    """Version strips with their containers, re-read from the scene."""
    return iter(Index(scene).takes)


def find_source(scene: Any, shot_id: str) -> tuple[Any, SourceImprint] | None:
    return Index(scene).source(shot_id)


def find_container(scene: Any, container_id: str) -> tuple[Any, Container] | None:
    return Index(scene).container(container_id)


def stack(scene: Any, shot_id: str, label: str | None = None) -> list[tuple[Any, Container]]:
    """The version strips of one source (optionally one label), by version number."""
    return Index(scene).stack(shot_id, label)
