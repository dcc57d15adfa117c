"""Frame-sequence paths without any media library (safe in a host's Python).

Patterns use ``####`` (padding = number of hashes), ``@@@@``, or printf ``%04d``; a path
without a frame token is a movie or a single file.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

_PRINTF = re.compile(r"%(0?)(\d*)d")
_HASHES = re.compile(r"#+|@+")


def has_frame_token(pattern: str) -> bool:
    return bool(_PRINTF.search(pattern) or _HASHES.search(pattern))


def frame_path(pattern: str, frame: int) -> Path:
    """The file of ``frame`` in ``pattern`` (negative frames keep their sign before padding)."""
    match = _PRINTF.search(pattern)
    if match:
        width = int(match.group(2) or 0)
        text = f"{frame:0{width}d}" if match.group(1) else str(frame)
        return Path(pattern[: match.start()] + text + pattern[match.end():])
    match = _HASHES.search(pattern)
    if match:
        width = len(match.group(0))
        return Path(pattern[: match.start()] + f"{frame:0{width}d}" + pattern[match.end():])
    return Path(pattern)


def to_hashes(pattern: str) -> str:
    """Normalise a pattern to ``####`` padding (what Nuke and ShotLoop's store write)."""
    match = _PRINTF.search(pattern)
    if match:
        width = int(match.group(2) or 1)
        return pattern[: match.start()] + "#" * width + pattern[match.end():]
    return _HASHES.sub(lambda m: "#" * len(m.group(0)), pattern)


def missing_frames(pattern: str, frames: Iterable[int]) -> list[int]:
    """Frames of ``frames`` whose file does not exist (a movie counts as all present)."""
    if not has_frame_token(pattern):
        return [] if Path(pattern).exists() else list(frames)
    return [f for f in frames if not frame_path(pattern, f).is_file()]


def compact_ranges(frames: Iterable[int]) -> str:
    """``[1,2,3,7,9,10]`` → ``"1-3, 7, 9-10"`` for error messages."""
    ordered = sorted(set(frames))
    parts: list[str] = []
    start = prev = None
    for f in ordered:
        if start is None:
            start = prev = f
        elif f == prev + 1:
            prev = f
        else:
            parts.append(f"{start}-{prev}" if start != prev else str(start))
            start = prev = f
    if start is not None:
        parts.append(f"{start}-{prev}" if start != prev else str(start))
    return ", ".join(parts)
