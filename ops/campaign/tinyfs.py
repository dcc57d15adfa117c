"""A tiny filesystem for "disk full" cases: a size-capped tmpfs mounted on a folder.

Mounting needs root (or CAP_SYS_ADMIN); ``tiny_filesystem`` yields None where that is not
possible, and callers skip the cases that need it (they say so in their report).
"""
from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
from pathlib import Path
from typing import Iterator

log = logging.getLogger(__name__)

__all__ = ["tiny_filesystem"]


@contextlib.contextmanager
def tiny_filesystem(mount_point: Path, size_kb: int = 2048) -> Iterator[Path | None]:
    mount_point = Path(mount_point)
    mount_point.mkdir(parents=True, exist_ok=True)
    mounted = False
    if os.name == "posix" and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("mount"):
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0700",
                                 "shotloop-tiny", str(mount_point)],
                                capture_output=True, text=True, timeout=30)
        mounted = result.returncode == 0
        if not mounted:
            log.warning("cannot mount a tiny tmpfs: %s", result.stderr.strip())
    try:
        yield mount_point if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, timeout=30)
