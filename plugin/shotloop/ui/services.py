"""Media work the panel can use when, and only when, its process has the media stack.

The panel itself never imports OpenImageIO, PyAV or numpy: in a host (Nuke) it runs with
``MediaServices()`` (nothing) and shows what is on disk and readable by Qt (thumbnails,
JPEG/PNG proxies); keyframes are made by the agent at send time. ``shotloop ui`` runs
from ShotLoop's own environment and passes ``local_media.local_services()``, which makes
keyframe previews with the very function the agent uses and decodes review movies, EXR
frames and plates for scrubbing and wipes. An agent-side implementation (frames served by
the agent) can be dropped in later without touching the widgets.

Every callable here runs on a worker thread and returns QImages (never pixmaps/widgets).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Sequence

from ..model import Recipe, Shot, Version

# (shot, recipe, work folder) -> [(role, image)], e.g. [("first", img), ("last", img)]
KeyframePreviews = Callable[[Shot, Recipe, Path], Sequence[tuple[str, "object"]]]
# (version, max width) -> frames in order, as (frame number, QImage)
VersionFrames = Callable[[Version, int], Iterator[tuple[int, "object"]]]
# (shot, max width) -> the plate's frames in the shot's range, display-referred
PlateFrames = Callable[[Shot, int], Iterator[tuple[int, "object"]]]


@dataclass(frozen=True)
class MediaServices:
    keyframe_previews: KeyframePreviews | None = None
    version_frames: VersionFrames | None = None
    plate_frames: PlateFrames | None = None
    description: str = "host: thumbnails and image proxies only"
