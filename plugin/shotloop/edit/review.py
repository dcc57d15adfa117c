"""The review timeline handed back to editorial.

Layout A (``build_review``): the cut itself, where each generated shot's clip carries
every version as a named media reference (OTIO ≥ 0.15 multi-reference API): an
``ImageSequenceReference`` for the EXR frames (key ``<shot>_<label>_vNNN``) and an
``ExternalReference`` for the review movie (key ``..._movie``), plus the cut's own media
as ``plate``. The approved version (else the newest) is active. ShotLoop's data sits
under ``metadata["shotloop"]`` on the clip (version, seed, model, status, notes, takes),
on each take's reference, and on the timeline (an export snapshot used by the round trip).

Layout B (``build_takes_layout``): for tools that do not know multiple references, one
track per take (``gen_v001``, ``gen_v002``...) above the cut, gaps where a shot has no
such take.

Writers live in ``export.py``; the round trip in ``roundtrip.py``.
"""
from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import opentimelineio as otio
from opentimelineio.opentime import RationalTime, TimeRange

from ..model import ReviewStatus, Version
from . import urls
from .carriers import MOVIE_SUFFIX, PLATE_KEY
from .read import Cut, read_cut
from .clipinfo import clip_reel, plate_first_frame, shot_name, video_clips

__all__ = [
    "PLATE_KEY",
    "MOVIE_SUFFIX",
    "REVIEW_SCHEMA",
    "VersionSource",
    "build_review",
    "build_takes_layout",
    "take_data",
    "take_key",
    "take_track_name",
    "pick_active",
    "sequence_reference",
    "write_review",
]

log = logging.getLogger(__name__)

REVIEW_SCHEMA = "shotloop.review/1"

VersionSource = Iterable[Version] | Mapping[str, Iterable[Version]] | Callable[[str], Iterable[Version]]


def take_key(version: Version, movie: bool = False) -> str:
    return version.name + (MOVIE_SUFFIX if movie else "")


def take_track_name(label: str, number: int) -> str:
    return f"{label}_v{number:03d}"


def take_data(version: Version) -> dict[str, Any]:
    """What ShotLoop says about one take, as OTIO-safe metadata (str/int/bool/lists)."""
    return {
        "key": take_key(version),
        "shot": version.shot,
        "label": version.label,
        "version": version.number,
        "seed": int(version.seed),
        "model": version.model,
        "status": ReviewStatus(version.review).value,
        "note": version.note,
        "frames": version.frames,
        "movie": version.movie,
        "movie_key": take_key(version, movie=True) if version.movie else "",
        "job_id": version.job_id,
    }


def pick_active(versions: Sequence[Version]) -> Version:
    """The approved version (newest approved if several), else the newest."""
    approved = [v for v in versions if v.review == ReviewStatus.APPROVED]
    pool = approved or list(versions)
    return max(pool, key=lambda v: (v.created_at, v.number))


def sequence_reference(pattern: str, first: int, rate: float,
                       available: TimeRange) -> otio.schema.ImageSequenceReference:
    """An ImageSequenceReference for ``/dir/name.####.exr`` (or ``%04d``) starting at ``first``."""
    folder, base = os.path.split(pattern)
    printf = re.search(r"%0?(\d*)d", base)
    hashes = re.search(r"#+", base)
    if hashes:
        prefix, padding, suffix = base[:hashes.start()], len(hashes.group(0)), base[hashes.end():]
    elif printf:
        prefix, padding, suffix = base[:printf.start()], int(printf.group(1) or 0), base[printf.end():]
    else:
        raise ValueError(f"{pattern} has no frame number token (#### or %04d)")
    return otio.schema.ImageSequenceReference(
        target_url_base=urls.join_url_dir(urls.path_to_url(folder or ".")),
        name_prefix=prefix,
        name_suffix=suffix,
        start_frame=first,
        frame_step=1,
        rate=rate,
        frame_zero_padding=padding,
        available_range=available,
    )


def build_review(
    cut: Cut,
    versions: VersionSource,
    *,
    prefer: str = "frames",
    shot_pattern: str | None = None,
    name: str | None = None,
) -> otio.schema.Timeline:
    """Layout A for ``cut`` (see module doc). ``prefer`` is ``"frames"`` (EXR) or
    ``"movie"``: which reference of the chosen version is active."""
    if prefer not in ("frames", "movie"):
        raise ValueError(f"prefer must be 'frames' or 'movie', not {prefer!r}")
    lookup = _lookup(versions)
    pattern = re.compile(shot_pattern) if shot_pattern else None
    timeline = cut.timeline.deepcopy()
    timeline.name = name or f"{cut.name}_review"
    snapshot: dict[str, Any] = {}
    for _t, _track, _i, clip in video_clips(timeline):
        shot = shot_name(clip, pattern)
        takes = sorted(lookup(shot), key=lambda v: (v.label, v.number))
        if not takes:
            continue
        _attach_takes(clip, shot, takes, prefer)
        data = clip.metadata["shotloop"]
        snapshot[shot] = {
            "active": data["active"],
            "takes": {t["key"]: {"status": t["status"], "note": t["note"]} for t in data["takes"]},
            "markers": list(data["markers"]),
        }
    meta = dict(timeline.metadata.get("shotloop", {}))
    meta.update({"schema": REVIEW_SCHEMA, "kind": "review", "cut": cut.name,
                 "rate": cut.rate, "exported": snapshot})
    timeline.metadata["shotloop"] = meta
    return timeline


def build_takes_layout(review: otio.schema.Timeline, *, prefer: str = "frames",
                       name: str | None = None) -> otio.schema.Timeline:
    """Layout B from a review timeline: the cut (plates active) at the bottom, one track
    per take above it. Each take clip holds one reference only."""
    layout = otio.schema.Timeline(
        name=name or f"{review.name}_takes",
        global_start_time=review.global_start_time,
        metadata={"shotloop": {"schema": REVIEW_SCHEMA, "kind": "takes_layout",
                               "review": review.name}},
    )
    sources = [t for t in review.video_tracks()
               if any("takes" in c.metadata.get("shotloop", {}) for c in t.find_clips())]
    for s_index, source in enumerate(sources):
        prefix = "" if len(sources) == 1 else f"{source.name or f'V{s_index + 1}'} "
        cut_track = source.deepcopy()
        cut_track.name = f"{prefix}cut"
        for clip in cut_track.find_clips():
            if PLATE_KEY in clip.media_references():
                clip.active_media_reference_key = PLATE_KEY
        layout.tracks.append(cut_track)
        names = sorted({(t["label"], int(t["version"])) for c in source.find_clips()
                        for t in c.metadata.get("shotloop", {}).get("takes", [])})
        for label, number in names:
            layout.tracks.append(_take_track(source, label, number, prefer, prefix))
    return layout


def write_review(
    cut: Cut | str | Path,
    versions: VersionSource,
    out_dir: str | Path,
    *,
    rate: float | None = None,
    formats: Sequence[str] = (".otio", ".otioz", ".edl"),
    takes_layout: bool = True,
    prefer: str = "frames",
    include_frames: bool = True,
) -> list[Path]:
    """Everything editorial gets for a cut, written to ``out_dir``:
    ``<cut>_review`` in each of ``formats`` plus ``<cut>_takes.otio`` (layout B).
    Files are derived, so existing ones are replaced. Returns the written paths."""
    from .export import write_timeline  # export builds on this module's data

    if not isinstance(cut, Cut):
        cut = read_cut(cut, rate=rate)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    review = build_review(cut, versions, prefer=prefer)
    written = []
    for suffix in formats:
        path = out / f"{cut.name}_review{suffix}"
        write_timeline(review, path, media_root=cut.media_root, include_frames=include_frames,
                       overwrite=True)
        written.append(path)
    if takes_layout:
        path = out / f"{cut.name}_takes.otio"
        write_timeline(build_takes_layout(review, prefer=prefer), path, overwrite=True)
        written.append(path)
    return written


# --------------------------------------------------------------------------- internals


def _lookup(versions: VersionSource) -> Callable[[str], list[Version]]:
    if callable(versions):
        return lambda shot: list(versions(shot))
    if isinstance(versions, Mapping):
        return lambda shot: list(versions.get(shot, ()))
    by_shot: dict[str, list[Version]] = {}
    for version in versions:
        by_shot.setdefault(version.shot, []).append(version)
    return lambda shot: by_shot.get(shot, [])


def _take_range(clip: otio.schema.Clip, version: Version) -> TimeRange:
    """Where the version's frames sit in the clip's media time.

    Versions are conformed to the plate's frame numbers, so version frame F shows at the
    media time where the plate shows F."""
    source = clip.trimmed_range()
    rate = source.start_time.rate
    plate_first = plate_first_frame(clip, rate)
    start = source.start_time + RationalTime(version.frame_range.first - plate_first, rate)
    available = TimeRange(start, RationalTime(version.frame_range.count, rate))
    if available.start_time > source.start_time or \
            available.end_time_exclusive() < source.end_time_exclusive():
        log.warning("%s: frames %s do not cover the cut's range of %s", version.name,
                    version.frame_range, clip.name)
    return available


def _attach_takes(clip: otio.schema.Clip, shot: str, takes: Sequence[Version], prefer: str) -> None:
    refs: dict[str, otio.schema.MediaReference] = {PLATE_KEY: clip.media_reference.clone()}
    datas = []
    for version in takes:
        data = take_data(version)
        datas.append(data)
        available = _take_range(clip, version)
        if version.frames:
            try:
                seq = sequence_reference(version.frames, version.frame_range.first,
                                         available.start_time.rate, available)
                seq.name = take_key(version)
                seq.metadata["shotloop"] = dict(data, kind="frames")
                refs[take_key(version)] = seq
            except ValueError as exc:
                log.warning("%s: %s", version.name, exc)
        if version.movie:
            movie = otio.schema.ExternalReference(target_url=urls.path_to_url(version.movie),
                                                  available_range=available)
            movie.name = take_key(version, movie=True)
            movie.metadata["shotloop"] = dict(data, kind="movie")
            refs[take_key(version, movie=True)] = movie
    active = pick_active(takes)
    order = [take_key(active, movie=True), take_key(active)] if prefer == "movie" \
        else [take_key(active), take_key(active, movie=True)]
    active_key = next((k for k in order if k in refs), PLATE_KEY)
    clip.set_media_references(refs, active_key)
    previous = clip.metadata.get("shotloop", {})
    meta = dict(previous) if hasattr(previous, "items") else {}
    meta.update({
        "shot": shot,
        "active": active_key,
        "label": active.label,
        "version": active.number,
        "seed": int(active.seed),
        "model": active.model,
        "status": ReviewStatus(active.review).value,
        "notes": active.note,
        "reel": clip_reel(clip),
        "markers": [m.name for m in clip.markers],
        "takes": datas,
    })
    clip.metadata["shotloop"] = meta


def _take_track(source: otio.schema.Track, label: str, number: int, prefer: str,
                prefix: str) -> otio.schema.Track:
    wanted = take_track_name(label, number)
    track = otio.schema.Track(name=f"{prefix}{wanted}", kind=otio.schema.TrackKind.Video,
                              metadata={"shotloop": {"take": wanted}})
    for item in source:
        if isinstance(item, otio.schema.Transition):
            continue  # transitions take no time of their own
        duration = item.trimmed_range().duration
        data = item.metadata.get("shotloop", {}) if isinstance(item, otio.schema.Clip) else {}
        take = next((t for t in data.get("takes", [])
                     if t["label"] == label and int(t["version"]) == number), None)
        if take is None:
            track.append(otio.schema.Gap(source_range=TimeRange(RationalTime(0, duration.rate),
                                                                 duration)))
            continue
        refs = item.media_references()
        keys = [take["movie_key"], take["key"]] if prefer == "movie" else [take["key"], take["movie_key"]]
        key = next((k for k in keys if k and k in refs), None)
        if key is None:
            track.append(otio.schema.Gap(source_range=TimeRange(RationalTime(0, duration.rate),
                                                                 duration)))
            continue
        clip = otio.schema.Clip(
            name=take["key"],
            media_reference=refs[key].clone(),
            source_range=item.trimmed_range(),
            metadata={"shotloop": dict(take, approved=take["status"] == "approved",
                                       active=data.get("active", "").removesuffix(MOVIE_SUFFIX)
                                       == take["key"])},
        )
        track.append(clip)
    return track
