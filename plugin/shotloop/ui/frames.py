"""Frames to scrub and compare in Review, loaded off the GUI thread and cached per source.

A source is a version or a plate. Where the frames come from:
1. a JPEG/PNG sequence in the version folder (``<name>.####.jpg`` beside the EXRs or in
   ``proxy/``), read with QImage: works in any host;
2. ``MediaServices.version_frames`` / ``plate_frames`` when the panel's process has the
   media stack (``shotloop ui``): the review movie decoded, or EXRs converted to sRGB;
3. the version's thumbnail alone, so a host panel always shows something.
Frames arrive in chunks while they load, so scrubbing starts before the last one is read.
"""
from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from qtpy.QtCore import QObject, Qt, Signal
from qtpy.QtGui import QImage

from ..errors import ShotLoopError
from ..model import Shot, Version
from .background import Background
from .services import MediaServices

log = logging.getLogger(__name__)

PROXY_SUFFIXES = (".jpg", ".jpeg", ".png")
SCRUB_WIDTH = 640
CHUNK_S = 0.15
MAX_SOURCES = 4

Loader = Callable[[], Iterator[tuple[int, QImage]]]


def read_image(path: str | Path, max_width: int = 0) -> QImage:
    """A JPEG/PNG as a QImage (scaled down to ``max_width``); null if unreadable."""
    image = QImage(str(path))
    if not image.isNull() and max_width and image.width() > max_width:
        image = image.scaledToWidth(max_width, Qt.TransformationMode.SmoothTransformation)
    return image


def proxy_frames(version: Version) -> list[tuple[int, Path]]:
    """A numbered JPEG/PNG sequence of the version, if the agent wrote one."""
    folder = Path(version.path)
    pattern = re.compile(rf"{re.escape(version.name)}\.(\d+)(\.[A-Za-z]+)$")
    found: dict[int, Path] = {}
    for place in (folder, folder / "proxy"):
        if not place.is_dir():
            continue
        for entry in place.iterdir():
            match = pattern.match(entry.name)
            if match and match.group(2).lower() in PROXY_SUFFIXES:
                found.setdefault(int(match.group(1)), entry)
        if found:
            break
    return sorted(found.items())


def version_loader(version: Version, services: MediaServices, width: int = SCRUB_WIDTH) -> tuple[Loader, str]:
    """How to load a version's frames, and a word on where they come from."""
    proxies = proxy_frames(version)
    if proxies:
        return (lambda: ((f, read_image(p, width)) for f, p in proxies)), "image proxies"
    if services.version_frames is not None:
        return (lambda: services.version_frames(version, width)), \
            "review movie" if version.movie else "EXR frames"
    thumb = version.thumbnail

    def thumbnail() -> Iterator[tuple[int, QImage]]:
        if thumb:
            yield version.frame_range.first, read_image(thumb, width)

    return thumbnail, "thumbnail only (frames need `shotloop ui` or proxies)"


def plate_loader(shot: Shot, services: MediaServices, width: int = SCRUB_WIDTH) -> tuple[Loader | None, str]:
    if services.plate_frames is None:
        return None, "the plate needs `shotloop ui` (the media stack) to be shown"
    return (lambda: services.plate_frames(shot, width)), "plate"


@dataclass
class FrameSet:
    key: str
    images: dict[int, QImage] = field(default_factory=dict)
    complete: bool = False
    error: str = ""
    origin: str = ""

    def nearest(self, frame: int) -> QImage | None:
        """The frame, or the closest one loaded so far."""
        if frame in self.images:
            return self.images[frame]
        if not self.images:
            return None
        return self.images[min(self.images, key=lambda f: abs(f - frame))]


class FrameStore(QObject):
    """Loads sources on the background pool; keeps the last few in memory."""

    changed = Signal(str)  # key: more frames arrived, or it finished / failed

    def __init__(self, background: Background, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._background = background
        self._sets: dict[str, FrameSet] = {}

    def get(self, key: str) -> FrameSet | None:
        return self._sets.get(key)

    def load(self, key: str, loader: Loader, origin: str = "") -> FrameSet:
        """Start loading ``key`` unless it is loaded or loading; returns its FrameSet."""
        existing = self._sets.pop(key, None)
        if existing is not None and not existing.error:
            self._sets[key] = existing  # most recently used last
            return existing
        frame_set = FrameSet(key, origin=origin)
        self._sets[key] = frame_set
        while len(self._sets) > MAX_SOURCES:
            self._sets.pop(next(iter(self._sets)))

        def work() -> None:
            chunk: dict[int, QImage] = {}
            last = time.monotonic()
            for frame, image in loader():
                if self._sets.get(key) is not frame_set:
                    return  # evicted while loading
                if not image.isNull():
                    chunk[frame] = image
                if time.monotonic() - last >= CHUNK_S:
                    self._background.dispatch(lambda c=chunk: self._arrived(frame_set, c, False))
                    chunk, last = {}, time.monotonic()
            self._background.dispatch(lambda c=chunk: self._arrived(frame_set, c, True))

        def failed(err: ShotLoopError) -> None:
            frame_set.error = err.message
            frame_set.complete = True
            self.changed.emit(key)

        self._background.run(work, lambda _: None, failed)
        return frame_set

    def _arrived(self, frame_set: FrameSet, chunk: dict[int, QImage], done: bool) -> None:
        frame_set.images.update(chunk)
        frame_set.complete = frame_set.complete or done
        if done and not frame_set.images and not frame_set.error:
            frame_set.error = "no frames could be read"
        self.changed.emit(frame_set.key)

    def forget(self, key: str) -> None:
        self._sets.pop(key, None)
