"""What "nothing lost, nothing corrupted" means, checked on real files.

``audit_jobs`` compares the agent's ledger with the version store after a run:

* lost: a job that is neither final nor waiting for a person with a reason
  (SUBMIT_UNKNOWN), a final job without a reason (FAILED/CANCELLED), or a PUBLISHED job
  whose version folder is missing;
* corrupted: a version folder that no PUBLISHED job owns (a staging leftover or a second
  publish became a version), a version whose frames are missing, unreadable or of the
  wrong size, a version.json that names another job, two jobs on one number, and any
  staging leftover once the agent is idle.

``snapshot`` and ``scan_for`` are the "nothing changed on disk" and "the key appears
nowhere" checks.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from shotloop.model import Job, JobState

__all__ = ["Audit", "audit_jobs", "snapshot", "scan_for", "VERSION_DIR"]

VERSION_DIR = re.compile(r"^v(\d{3,})$")
WAITING_FOR_A_PERSON = frozenset({JobState.SUBMIT_UNKNOWN})


@dataclass
class Audit:
    lost: list[str] = field(default_factory=list)
    corrupted: list[str] = field(default_factory=list)
    published: int = 0
    failed: int = 0
    waiting: int = 0
    versions_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.lost and not self.corrupted

    def __str__(self) -> str:
        return "; ".join(self.lost + self.corrupted) or "ok"


def _frame_ok(path: Path, width: int, height: int) -> str:
    """"" if ``path`` is a readable EXR of the given size, else why not."""
    import OpenImageIO as oiio

    image = oiio.ImageInput.open(str(path))
    if image is None:
        return f"{path.name} cannot be opened ({oiio.geterror()[:80]})"
    try:
        spec = image.spec()
        if (spec.width, spec.height) != (width, height):
            return f"{path.name} is {spec.width}x{spec.height}, not {width}x{height}"
        pixels = image.read_image(0, 0, 0, 1, oiio.FLOAT)
        if pixels is None:
            return f"{path.name} has unreadable pixels ({image.geterror()[:80]})"
    finally:
        image.close()
    return ""


def _check_version(folder: Path, owner: Job | None, deep: bool) -> list[str]:
    problems: list[str] = []
    doc_path = folder / "version.json"
    try:
        doc = json.loads(doc_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{folder}: version.json unreadable ({exc})"]
    prov = doc.get("provenance") or {}
    job_id = prov.get("job_id") or doc.get("version", {}).get("job_id", "")
    if owner is None:
        return [f"{folder}: no PUBLISHED job owns this version (job {job_id or '?'})"]
    if job_id and job_id != owner.job_id:
        problems.append(f"{folder}: version.json names job {job_id}, ledger says {owner.job_id}")
    shot = owner.shot
    frames = sorted(folder.glob(f"{shot.name}_{owner.recipe.label}_{folder.name}.*.exr"))
    if len(frames) != shot.frame_range.count:
        problems.append(f"{folder}: {len(frames)} frames, the shot has {shot.frame_range.count}")
    if deep:
        for frame in frames:
            why = _frame_ok(frame, shot.resolution.width, shot.resolution.height)
            if why:
                problems.append(f"{folder}: {why}")
                break
    else:
        empty = [f.name for f in frames if f.stat().st_size == 0]
        if empty:
            problems.append(f"{folder}: empty frames {empty[:3]}")
    return problems


def audit_jobs(jobs: Iterable[Job], roots: Iterable[Path] | None = None, *,
               deep: bool = True) -> Audit:
    """Check every job against the version stores it wrote to (see the module docstring).

    ``deep`` opens every frame (OpenImageIO) instead of only checking sizes.
    """
    jobs = list(jobs)
    audit = Audit()
    owners: dict[Path, Job] = {}
    for job in jobs:
        if job.state is JobState.PUBLISHED:
            audit.published += 1
            if job.version is None:
                audit.lost.append(f"{job.shot.name} ({job.job_id}): PUBLISHED without a version")
                continue
            folder = (Path(job.store_root) / job.shot.name / job.recipe.label
                      / f"v{job.version:03d}").resolve()
            if folder in owners:
                audit.corrupted.append(f"{folder}: claimed by jobs {owners[folder].job_id} "
                                       f"and {job.job_id}")
            owners[folder] = job
            if not (folder / "version.json").is_file():
                audit.lost.append(f"{job.shot.name} ({job.job_id}): PUBLISHED v{job.version:03d} "
                                  f"is not on disk")
        elif job.state in (JobState.FAILED, JobState.CANCELLED):
            audit.failed += 1
            if job.state is JobState.FAILED and not job.reason:
                audit.lost.append(f"{job.shot.name} ({job.job_id}): FAILED without a reason")
        elif job.state in WAITING_FOR_A_PERSON:
            audit.waiting += 1
            if not job.reason:
                audit.lost.append(f"{job.shot.name} ({job.job_id}): {job.state.value} without a reason")
        else:
            audit.lost.append(f"{job.shot.name} ({job.job_id}): stuck in {job.state.value}")
    store_roots = {Path(r).resolve() for r in (roots if roots is not None
                                               else {j.store_root for j in jobs if j.store_root})}
    for root in sorted(store_roots):
        staging = root / ".staging"
        if staging.is_dir() and any(staging.iterdir()):
            audit.corrupted.append(f"{staging}: leftovers {sorted(p.name for p in staging.iterdir())[:3]}")
        for folder in sorted(root.glob("*/*/v*")):
            if not folder.is_dir() or not VERSION_DIR.match(folder.name):
                continue
            audit.versions_checked += 1
            audit.corrupted.extend(_check_version(folder, owners.get(folder.resolve()), deep))
    return audit


def snapshot(*paths: Path) -> dict[str, tuple[int, str]]:
    """Every file and folder under ``paths``: relative name -> (size, sha256) ("dir" for
    folders). Two equal snapshots mean nothing was added, removed or changed."""
    found: dict[str, tuple[int, str]] = {}
    for base in paths:
        base = Path(base)
        if not base.exists():
            continue
        for folder, dirs, files in os.walk(base):
            for name in dirs:
                found[str(Path(folder, name))] = (0, "dir")
            for name in files:
                path = Path(folder, name)
                digest = hashlib.sha256()
                with path.open("rb") as handle:
                    for chunk in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(chunk)
                found[str(path)] = (path.stat().st_size, digest.hexdigest())
    return found


def scan_for(secret: str, paths: Iterable[Path], *, extra: Mapping[str, str] | None = None) -> list[str]:
    """Where ``secret`` occurs: files under ``paths`` (read as bytes, every file, SQLite and
    WAL files included) and named texts in ``extra`` (error messages, event payloads)."""
    needle = secret.encode()
    hits: list[str] = []
    files = 0
    for base in paths:
        base = Path(base)
        candidates = [base] if base.is_file() else [Path(f, n) for f, _, ns in os.walk(base) for n in ns]
        for path in candidates:
            try:
                data = path.read_bytes()
            except OSError:
                continue
            files += 1
            if needle in data:
                hits.append(str(path))
    for name, text in (extra or {}).items():
        if secret in text:
            hits.append(name)
    return hits
