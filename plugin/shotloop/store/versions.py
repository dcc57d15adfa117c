"""The version store: ``<root>/<shot>/<label>/vNNN/``, written once, published atomically.

A take is written into ``<root>/.staging/<shot>_<label>_vNNN_<rand>/`` (same filesystem),
its version.json is added, everything is flushed to disk, and one ``os.rename`` makes it
``<root>/<shot>/<label>/vNNN``: readers see no version or a complete one. Numbers come
from ``numbers.reserve_number`` (never reused, safe between agents). After publish only
the review block of version.json changes, by atomic replace.
"""
from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import threading
import time
from pathlib import Path
from typing import Any, Mapping

from ..errors import PublishFailed, VersionNotFound
from ..model import ReviewStatus, Version
from .atomic import TEMP_PREFIX, TEMP_SUFFIX, fsync_dir, fsync_tree, write_json_atomic
from .names import safe_name
from .numbers import (parse_version_dirname, reservation_of, reserve_number, reserved_by,
                      version_dirname)
from .version_file import (VERSION_FILE, build_document, provenance_of, read_document,
                           scan_staging, version_from_document)

__all__ = ["VersionStore", "STAGING_DIR", "safe_name"]

log = logging.getLogger(__name__)

STAGING_DIR = ".staging"


class VersionStore:
    """Published versions under ``root``; every shot and label passes ``safe_name``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = threading.Lock()  # one review rewrite or reservation at a time here

    # ------------------------------------------------------------------ paths

    def _label_dir(self, shot: str, label: str) -> Path:
        safe_name(shot, field="shot")
        safe_name(label, field="recipe.label", shot=shot)
        return self.root / shot / label

    def _version_dir(self, shot: str, label: str, number: int) -> Path:
        return self._label_dir(shot, label) / version_dirname(number)

    @property
    def staging_root(self) -> Path:
        return self.root / STAGING_DIR

    def _check_staging(self, staging: Path, shot: str | None = None) -> Path:
        """Refuse any folder that is not directly inside this store's staging area."""
        staging = Path(staging)
        if staging.is_symlink() or staging.resolve().parent != self.staging_root.resolve():
            raise PublishFailed(f"{staging} is not a staging folder of the store at {self.root}",
                                shot=shot, field="staging",
                                fix="use a folder made by VersionStore.staging()")
        return staging

    # ------------------------------------------------------------------ writing

    def reserve(self, shot: str, label: str, job_id: str) -> int:
        """The version number for ``job_id``: the one it already holds, else the next free
        one. Never reused, and two agents racing cannot both get the same number."""
        label_dir = self._label_dir(shot, label)
        with self._lock:
            return reserve_number(label_dir, job_id)

    def staging(self, shot: str, label: str, number: int) -> Path:
        """A new, empty folder to write the take into, on the store's filesystem."""
        label_dir = self._label_dir(shot, label)
        if reserved_by(label_dir, number) is None:
            raise PublishFailed(f"{version_dirname(number)} of {shot}/{label} was never reserved",
                                shot=shot, field="version", fix="reserve a number first")
        self.staging_root.mkdir(parents=True, exist_ok=True)
        while True:
            folder = self.staging_root / f"{shot}_{label}_{version_dirname(number)}_{secrets.token_hex(4)}"
            try:
                folder.mkdir()  # not mkdtemp: published folders keep the user's umask
                return folder
            except FileExistsError:
                continue

    def publish(self, staging: Path, shot: str, label: str, number: int,
                provenance: Mapping[str, Any]) -> Version:
        """Write version.json into ``staging``, flush it all, and rename it into place.

        Refuses (PublishFailed, staging left as it was) if the number was not reserved,
        is held by another job, is already published, or the frames are incomplete.
        """
        label_dir = self._label_dir(shot, label)
        staging = self._check_staging(staging, shot)
        final = label_dir / version_dirname(number)
        name = f"{shot}_{label}_{version_dirname(number)}"
        if not staging.is_dir():
            raise PublishFailed(f"staging folder {staging} does not exist", shot=shot,
                                field="staging", fix="run the ingest of this job again")
        owner = reserved_by(label_dir, number)
        job_id = str(provenance.get("job_id") or "")
        if owner is None:
            raise PublishFailed(f"{name} was never reserved", shot=shot, field="version",
                                fix="reserve a number first")
        if owner and job_id and owner != job_id:
            raise PublishFailed(f"{name} is reserved by job {owner}, not {job_id}", shot=shot,
                                field="version", fix="publish under the number this job reserved")
        if final.exists():
            raise PublishFailed(f"{name} is already published; a published version is never changed",
                                shot=shot, field="version", fix="reserve a new number")
        staged = scan_staging(staging, name, shot)
        document = build_document(shot=shot, label=label, number=number, staged=staged,
                                  provenance=provenance, created_at=time.time())
        try:
            write_json_atomic(staging / VERSION_FILE, document)
            fsync_tree(staging)
        except OSError as exc:  # disk full, quota, I/O error: nothing was published
            raise PublishFailed(f"{name} could not be written to the store: {exc.strerror or exc}",
                                shot=shot, field="version.json",
                                fix=f"free space or fix the store folder {self.root}, then retry "
                                    f"the job") from exc
        try:
            os.rename(staging, final)
        except OSError as exc:
            raise PublishFailed(f"{name} could not be moved into place: {exc}", shot=shot,
                                field="version", fix="check the store folder; reserve a new number "
                                                     "if this one was taken") from exc
        fsync_dir(label_dir)
        fsync_dir(self.staging_root)
        log.info("published %s", final)
        return self.get(shot, label, number)

    def discard(self, staging: Path) -> None:
        """Remove a staging folder (a failed or cancelled ingest). Its number stays used."""
        staging = self._check_staging(staging)
        shutil.rmtree(staging, ignore_errors=True)

    def clean_stale_staging(self, older_than_s: float = 0) -> list[Path]:
        """Remove crash leftovers: staging folders and review temp files untouched for
        ``older_than_s`` seconds. Call with 0 only when no ingest can be running."""
        cutoff = time.time() - older_than_s
        removed: list[Path] = []
        if self.staging_root.is_dir():
            for entry in sorted(self.staging_root.iterdir()):
                if _older(entry, cutoff):
                    if entry.is_dir() and not entry.is_symlink():
                        shutil.rmtree(entry, ignore_errors=True)
                    else:
                        entry.unlink(missing_ok=True)
                    removed.append(entry)
        for temp in sorted(self.root.glob(f"*/*/v*/{TEMP_PREFIX}{VERSION_FILE}.*{TEMP_SUFFIX}")):
            if _older(temp, cutoff):
                temp.unlink(missing_ok=True)
                removed.append(temp)
        if removed:
            log.info("removed %d stale staging item(s) under %s", len(removed), self.root)
        return removed

    def set_review(self, shot: str, label: str, number: int, status: ReviewStatus | str,
                   note: str) -> Version:
        """Mirror a review into version.json: the only change a published folder allows.
        The file is replaced atomically and keeps every earlier review in its history."""
        status = ReviewStatus(status)
        folder = self._version_dir(shot, label, number)
        with self._lock:
            data = self._document(folder, shot, label, number)
            review = dict(data.get("review") or {})
            history = list(review.get("history") or [])
            history.append({"time": time.time(), "status": status.value, "note": note,
                            "previous": review.get("status", ReviewStatus.PENDING.value)})
            data["review"] = {"status": status.value, "note": note, "history": history}
            write_json_atomic(folder / VERSION_FILE, data)
        return version_from_document(folder, data, shot=shot, label=label, number=number)

    # ------------------------------------------------------------------ reading

    def versions(self, shot: str, label: str | None = None) -> list[Version]:
        """Published versions of a shot (one label or all), by label then number."""
        shot_dir = self.root / safe_name(shot, field="shot")
        if label is not None:
            labels = [safe_name(label, field="recipe.label", shot=shot)]
        else:
            labels = sorted(d.name for d in _subdirs(shot_dir) if _is_safe(d.name))
        found: list[Version] = []
        for lab in labels:
            for folder in _subdirs(shot_dir / lab):
                number = parse_version_dirname(folder.name)
                if number is None or not (folder / VERSION_FILE).is_file():
                    continue
                try:
                    data = read_document(folder)
                    found.append(version_from_document(folder, data, shot=shot, label=lab,
                                                       number=number))
                except (OSError, ValueError, KeyError, TypeError) as exc:
                    log.warning("skipping unreadable version %s: %s", folder, exc)
        return sorted(found, key=lambda v: (v.label, v.number))

    def version_of_job(self, shot: str, label: str, job_id: str) -> Version | None:
        """The version ``job_id`` published under shot/label, if it did. An agent that
        stopped between publishing and recording PUBLISHED in the ledger finds its take
        here on resume (publishing again would be refused: the folder exists)."""
        number = reservation_of(self._label_dir(shot, label), job_id)
        if number is None or not (self._version_dir(shot, label, number) / VERSION_FILE).is_file():
            return None
        version = self.get(shot, label, number)
        return version if version.job_id in ("", job_id) else None

    def get(self, shot: str, label: str, number: int) -> Version:
        folder = self._version_dir(shot, label, number)
        data = self._document(folder, shot, label, number)
        return version_from_document(folder, data, shot=shot, label=label, number=number)

    def provenance(self, shot: str, label: str, number: int) -> dict[str, Any]:
        """The version's provenance record, with its current review folded in."""
        folder = self._version_dir(shot, label, number)
        return provenance_of(self._document(folder, shot, label, number))

    def shots(self) -> list[str]:
        """Shots with at least one published version."""
        found = []
        for shot_dir in _subdirs(self.root):
            if _is_safe(shot_dir.name) and any(shot_dir.glob(f"*/v*/{VERSION_FILE}")):
                found.append(shot_dir.name)
        return sorted(found)

    def _document(self, folder: Path, shot: str, label: str, number: int) -> dict[str, Any]:
        try:
            return read_document(folder)
        except FileNotFoundError as exc:
            raise VersionNotFound(f"{shot}/{label}/{version_dirname(number)} is not published",
                                  shot=shot, field="version",
                                  fix=f"list the published versions of {shot}") from exc
        except (OSError, ValueError, json.JSONDecodeError) as exc:
            raise VersionNotFound(f"{folder / VERSION_FILE} cannot be read: {exc}", shot=shot,
                                  field="version", fix="restore the file from backup") from exc


def _subdirs(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    except (FileNotFoundError, NotADirectoryError):
        return []


def _is_safe(name: str) -> bool:
    try:
        safe_name(name)
    except ValueError:
        return False
    return True


def _older(path: Path, cutoff: float) -> bool:
    try:
        return path.lstat().st_mtime <= cutoff
    except FileNotFoundError:
        return False
