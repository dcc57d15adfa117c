"""What a Read "sees" on disk: registered media, else a real file probed with OpenImageIO.

Real Nuke reads file headers for ``fromUserText``, ``format()`` and ``metadata()``; the
emulation does the same for files that exist, and lets tests register media that does not.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from ._session import SESSION
from ._values import find_or_add

_PRINTF = re.compile(r"%0?(\d*)d")
_HASHES = re.compile(r"#+")


def to_printf(pattern: str) -> str:
    return _HASHES.sub(lambda m: f"%0{len(m.group())}d", pattern)


def frame_path(pattern: str, frame: int) -> str:
    return _PRINTF.sub(lambda m: f"{frame:0{int(m.group(1) or 0)}d}", to_printf(pattern))


def register(pattern: str, first: int, last: int, width: int, height: int,
             pixel_aspect: float = 1.0, metadata: dict | None = None, fps: float | None = None) -> None:
    SESSION.media[to_printf(pattern)] = {
        "first": int(first), "last": int(last), "width": int(width), "height": int(height),
        "pixel_aspect": float(pixel_aspect), "metadata": dict(metadata or {}), "fps": fps,
    }


def lookup(pattern: str) -> dict[str, Any] | None:
    """first/last/format/metadata for a file pattern, or None when nothing is known."""
    key = to_printf(pattern)
    info = SESSION.media.get(key)
    if info is None:
        info = _probe(key)
    if info is None:
        return None
    result = dict(info)
    result["format"] = find_or_add(info["width"], info["height"], info["pixel_aspect"])
    return result


def _probe(pattern: str) -> dict[str, Any] | None:
    frames = _frames_on_disk(pattern)
    if not frames and not _PRINTF.search(pattern):
        frames = [None] if os.path.isfile(pattern) else []
    if not frames:
        return None
    first_file = frame_path(pattern, frames[0]) if frames[0] is not None else pattern
    header = read_header(first_file)
    if header is None:
        return None
    first = frames[0] if frames[0] is not None else 1
    last = frames[-1] if frames[-1] is not None else 1
    header.update(first=first, last=last, fps=None)
    return header


def _frames_on_disk(pattern: str) -> list[int]:
    m = _PRINTF.search(pattern)
    if not m:
        return []
    folder = Path(os.path.dirname(pattern) or ".")
    if not folder.is_dir():
        return []
    name = os.path.basename(pattern)
    nm = _PRINTF.search(name)
    if nm is None:
        return []
    regex = re.compile(re.escape(name[:nm.start()]) + r"(-?\d+)" + re.escape(name[nm.end():]) + "$")
    found = sorted(int(mm.group(1)) for p in folder.iterdir() if (mm := regex.match(p.name)))
    return found


def read_header(path: str) -> dict[str, Any] | None:
    import OpenImageIO as oiio

    inp = oiio.ImageInput.open(path)
    if inp is None:
        return None
    try:
        spec = inp.spec()
        metadata = {
            "input/filename": path,
            "input/width": spec.full_width or spec.width,
            "input/height": spec.full_height or spec.height,
            "input/filesize": os.path.getsize(path),
            "input/mtime": os.path.getmtime(path),
        }
        for attr in spec.extra_attribs:
            metadata[f"exr/{attr.name}" if path.lower().endswith(".exr") else attr.name] = attr.value
        return {
            "width": spec.full_width or spec.width,
            "height": spec.full_height or spec.height,
            "pixel_aspect": float(spec.get_float_attribute("PixelAspectRatio", 1.0)),
            "metadata": metadata,
        }
    finally:
        inp.close()
