"""version.json: its layout, what publish checks in staging, and reading a Version back.

Layout (paths inside are relative to the version folder, so a store can move):

    {"schema": "shotloop.version_file/1",
     "version": {shot, label, number, frames, frame_range, fps, resolution, colorspace,
                 movie, thumbnail, job_id, model, seed, created_at},
     "review": {"status", "note", "history": [{time, status, note, previous}]},
     "provenance": {... build_provenance() without its review ...}}

Only ``review`` ever changes after publish.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping

from ..codec import from_data, to_data
from ..errors import PublishFailed
from ..model import FrameRange, Resolution, ReviewStatus, Version

__all__ = ["VERSION_FILE", "FILE_SCHEMA", "Staged", "scan_staging", "build_document",
           "read_document", "version_from_document", "provenance_of"]

VERSION_FILE = "version.json"
FILE_SCHEMA = "shotloop.version_file/1"
MOVIE_SUFFIXES = (".mov", ".mp4")
THUMBNAIL_SUFFIXES = (".jpg", ".jpeg", ".png")


@dataclass(frozen=True)
class Staged:
    """What publish found in a staging folder (names relative to it)."""

    frames: str  # sh010_gen_v003.####.exr
    frame_range: FrameRange
    movie: str = ""
    thumbnail: str = ""


def scan_staging(folder: Path, name: str, shot: str) -> Staged:
    """Check the staging folder holds a complete ``<name>.####.exr`` sequence."""
    pattern = re.compile(rf"{re.escape(name)}\.(\d{{4,}})\.exr")
    frames: dict[int, Path] = {}
    paddings: set[int] = set()
    movies, thumbnails = [], []
    for entry in sorted(folder.iterdir()):
        if not entry.is_file():
            continue
        match = pattern.fullmatch(entry.name)
        if match:
            frames[int(match.group(1))] = entry
            paddings.add(len(match.group(1)))
        elif entry.name.startswith(name) and entry.suffix.lower() in MOVIE_SUFFIXES:
            movies.append(entry.name)
        elif entry.name.startswith(name) and entry.suffix.lower() in THUMBNAIL_SUFFIXES:
            thumbnails.append(entry.name)
    fix = "run the ingest of this job again; nothing was published"
    if not frames:
        raise PublishFailed(f"staging {folder.name} holds no frames named {name}.####.exr",
                            shot=shot, field="frames", fix=fix)
    if len(paddings) != 1:
        raise PublishFailed(f"frames of {name} mix paddings {sorted(paddings)}",
                            shot=shot, field="frames", fix=fix)
    first, last = min(frames), max(frames)
    missing = [f for f in range(first, last + 1) if f not in frames]
    if missing:
        raise PublishFailed(f"{len(missing)} frame(s) missing in {first}-{last}, first {missing[:5]}",
                            shot=shot, field="frames", fix=fix)
    empty = sorted(f for f, path in frames.items() if path.stat().st_size == 0)
    if empty:
        raise PublishFailed(f"{len(empty)} frame file(s) are empty, first {empty[:5]}",
                            shot=shot, field="frames", fix=fix)
    return Staged(frames=f"{name}.{'#' * paddings.pop()}.exr", frame_range=FrameRange(first, last),
                  movie=movies[0] if movies else "", thumbnail=thumbnails[0] if thumbnails else "")


def build_document(*, shot: str, label: str, number: int, staged: Staged,
                   provenance: Mapping[str, Any], created_at: float) -> dict[str, Any]:
    record = dict(provenance)
    review = dict(record.pop("review", None) or {})
    conformed = record.get("conformed") or record.get("shot") or {}
    if not conformed.get("fps") or not conformed.get("resolution"):
        raise PublishFailed("the provenance does not say the conformed fps and resolution",
                            shot=shot, field="provenance.conformed",
                            fix="build it with store.provenance.build_provenance")
    seed = record.get("seed")
    version = Version(
        shot=shot, label=label, number=number, path="", frames=staged.frames,
        frame_range=staged.frame_range, fps=float(conformed["fps"]),
        resolution=from_data(Resolution, conformed["resolution"]),
        colorspace=str(conformed.get("colorspace") or "ACEScg"), movie=staged.movie,
        thumbnail=staged.thumbnail, job_id=str(record.get("job_id") or ""),
        model=str(record.get("model") or ""), seed=seed if isinstance(seed, int) else 0,
        created_at=created_at)
    block = to_data(version)
    for key in ("path", "review", "note"):
        block.pop(key)
    return {
        "schema": FILE_SCHEMA,
        "version": block,
        "review": {"status": ReviewStatus(review.get("status", "pending")).value,
                   "note": str(review.get("note", "")), "history": list(review.get("history", []))},
        "provenance": record,
    }


def read_document(folder: Path) -> dict[str, Any]:
    data = json.loads((folder / VERSION_FILE).read_text(encoding="utf-8"))
    schema = str(data.get("schema", ""))
    name, _, revision = schema.partition("/")
    if name != FILE_SCHEMA.partition("/")[0] or not revision.isdigit():
        raise ValueError(f"{folder / VERSION_FILE} is not a ShotLoop version file ({schema!r})")
    if int(revision) > int(FILE_SCHEMA.partition("/")[2]):
        raise ValueError(f"{folder / VERSION_FILE} was written by a newer ShotLoop ({schema})")
    return data


def version_from_document(folder: Path, data: Mapping[str, Any], *, shot: str, label: str,
                          number: int) -> Version:
    """The Version for a published folder; paths made absolute from where it is now."""
    block = dict(data["version"])
    if (block.get("shot"), block.get("label"), block.get("number")) != (shot, label, number):
        raise ValueError(f"{folder / VERSION_FILE} describes {block.get('shot')}/"
                         f"{block.get('label')}/{block.get('number')}, not the folder it is in")
    review = data.get("review") or {}
    block.update(path=str(folder), review=review.get("status", "pending"), note=review.get("note", ""))
    version = from_data(Version, block)
    return replace(
        version,
        frames=str(folder / version.frames),
        movie=str(folder / version.movie) if version.movie else "",
        thumbnail=str(folder / version.thumbnail) if version.thumbnail else "",
    )


def provenance_of(data: Mapping[str, Any]) -> dict[str, Any]:
    """The provenance record with the current review state folded back in."""
    return {**dict(data.get("provenance") or {}), "review": dict(data.get("review") or {})}
