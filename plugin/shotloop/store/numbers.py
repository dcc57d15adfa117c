"""Version numbers: handed out once, never reused, safe between processes.

A number is reserved by creating ``<shot>/<label>/.numbers/vNNN`` with ``os.mkdir``, which
succeeds for exactly one caller on every platform and filesystem we support; the folder
holds a ``job`` file naming the job that owns the number. Reservations are never removed,
so a number whose staging was discarded or whose publish failed stays a gap.
"""
from __future__ import annotations

import logging
import re
from pathlib import Path

from .atomic import fsync_dir, write_bytes_atomic

__all__ = ["NUMBERS_DIR", "version_dirname", "parse_version_dirname", "reserve_number",
           "reservation_of", "reserved_by", "reserved_numbers"]

log = logging.getLogger(__name__)

NUMBERS_DIR = ".numbers"
_JOB_FILE = "job"
_VERSION_DIR = re.compile(r"v(\d{3,})")


def version_dirname(number: int) -> str:
    """3 → ``v003`` (1000 → ``v1000``)."""
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ValueError(f"a version number is a whole number from 1, got {number!r}")
    return f"v{number:03d}"


def parse_version_dirname(name: str) -> int | None:
    match = _VERSION_DIR.fullmatch(name)
    return int(match.group(1)) if match and int(match.group(1)) > 0 else None


def _numbers_in(folder: Path) -> set[int]:
    found: set[int] = set()
    if folder.is_dir():
        for entry in folder.iterdir():
            number = parse_version_dirname(entry.name)
            if number is not None:
                found.add(number)
    return found


def reserved_numbers(label_dir: Path) -> set[int]:
    return _numbers_in(label_dir / NUMBERS_DIR)


def reserved_by(label_dir: Path, number: int) -> str | None:
    """The job id holding ``number``; "" if reserved but its owner is unknown (a crash
    between creating the slot and naming the job); None if never reserved."""
    slot = label_dir / NUMBERS_DIR / version_dirname(number)
    if not slot.is_dir():
        return None
    try:
        return (slot / _JOB_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""


def reservation_of(label_dir: Path, job_id: str) -> int | None:
    """The number ``job_id`` holds under ``label_dir``, if any."""
    for number in sorted(reserved_numbers(label_dir)):
        if reserved_by(label_dir, number) == job_id:
            return number
    return None


def reserve_number(label_dir: Path, job_id: str) -> int:
    """The number ``job_id`` holds under ``label_dir``, reserving the next free one if none.

    Next free means above every number reserved or published so far (a published folder
    copied in without its reservation still counts), so numbers only grow.
    """
    if not job_id or not isinstance(job_id, str) or "\n" in job_id:
        raise ValueError(f"a reservation needs a one-line job id, got {job_id!r}")
    numbers = label_dir / NUMBERS_DIR
    numbers.mkdir(parents=True, exist_ok=True)
    held = reservation_of(label_dir, job_id)
    if held is not None:
        return held
    candidate = max(reserved_numbers(label_dir) | _numbers_in(label_dir), default=0) + 1
    while True:
        slot = numbers / version_dirname(candidate)
        try:
            slot.mkdir()
        except FileExistsError:
            log.debug("%s was taken by another agent; trying the next number", slot)
            candidate += 1  # another agent took it between our listing and our mkdir
            continue
        write_bytes_atomic(slot / _JOB_FILE, job_id.encode("utf-8"))
        fsync_dir(numbers)
        log.debug("reserved %s for job %s", slot, job_id)
        return candidate
