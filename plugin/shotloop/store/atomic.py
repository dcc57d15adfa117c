"""Durable, atomic file operations for the version store.

A file is replaced by writing a temporary file in the same folder, flushing it to disk and
``os.replace``-ing it over the target, then flushing the folder entry; a reader sees the old
file or the new one, never half of either, and a power cut keeps one of the two.
"""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

__all__ = ["TEMP_PREFIX", "TEMP_SUFFIX", "fsync_dir", "fsync_file", "fsync_tree",
           "write_bytes_atomic", "write_json_atomic"]

TEMP_PREFIX = "."
TEMP_SUFFIX = ".tmp"


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (new, renamed, removed names) to disk.

    Windows cannot open a folder for fsync and makes renames durable itself, so there
    this is a no-op.
    """
    if os.name == "nt":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def fsync_tree(root: Path) -> None:
    """Flush every file and folder under ``root`` (files written by other code)."""
    for folder, _dirs, files in os.walk(root):
        for name in files:
            fsync_file(Path(folder) / name)
        fsync_dir(Path(folder))


def temp_name(target: Path) -> Path:
    """A hidden temporary name beside ``target`` (``.version.json.<rand>.tmp``)."""
    return target.with_name(f"{TEMP_PREFIX}{target.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")


def write_bytes_atomic(target: Path, data: bytes) -> None:
    tmp = temp_name(target)
    try:
        with open(tmp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


def write_json_atomic(target: Path, data: Any) -> None:
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_bytes_atomic(target, text.encode("utf-8"))
