"""Read a cut from any format editorial hands us, through ``opentimelineio.adapters``.

Supported: .otio, .otioz, .otiod (core), .edl (CMX 3600), .xml (FCP 7 xmeml), .fcpxml
(otio-fcpx-xml-adapter), .aaf (when pyaaf2 is installed). Everything that goes wrong
comes out as ``EditInvalid`` naming the file, the clip and the fix, never as an adapter's
traceback.

The result is normalised so later steps need not care where it came from:
- the record start always lives in ``timeline.global_start_time`` (the EDL reader keeps
  it as a negative track ``source_range`` instead);
- FCP 7 clip markers are moved into the clip's media time when the adapter left them
  relative to the media start;
- EDLs are checked and repaired around the CMX reader (``edl.py``).
"""
from __future__ import annotations

import logging
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio
from opentimelineio.opentime import RationalTime, TimeRange

from ..errors import EditInvalid
from .edl import preflight_edl, repair_cmx_dissolves
from .timebase import snap_rate

__all__ = ["Cut", "ADAPTERS", "read_cut", "read_cut_string", "cut_rate", "check_bundle_members"]

log = logging.getLogger(__name__)

ADAPTERS: dict[str, str] = {
    ".otio": "otio_json",
    ".otioz": "otioz",
    ".otiod": "otiod",
    ".edl": "cmx_3600",
    ".xml": "fcp_xml",
    ".fcpxml": "fcpx_xml",
    ".aaf": "AAF",
}


@dataclass(frozen=True, eq=False)
class Cut:
    """A cut as read: the OTIO timeline plus what the file itself could not say.

    ``media_root`` is the folder relative media paths resolve against (the cut's folder,
    the .otiod folder, or where an .otioz was extracted). ``drop_frame`` is None when the
    format does not say (OTIO then infers drop frame for 29.97 / 59.94).
    """

    path: Path
    timeline: otio.schema.Timeline
    adapter: str
    rate: float
    drop_frame: bool | None = None
    media_root: Path = Path(".")

    @property
    def name(self) -> str:
        return self.timeline.name or self.path.stem

    @property
    def record_start(self) -> RationalTime:
        return self.timeline.global_start_time or RationalTime(0, self.rate)


def read_cut(
    path: str | Path,
    *,
    rate: float | None = None,
    drop_frame: bool | None = None,
    extract_to: str | Path | None = None,
    timeline: str | None = None,
) -> Cut:
    """Read a cut file.

    ``rate`` is required for EDLs (they carry none) and used for other formats only when
    the file has no rate of its own. ``extract_to`` unpacks an .otioz there so its media
    resolve. ``timeline`` picks one timeline by name when a file holds several.
    """
    path = Path(path)
    adapter = ADAPTERS.get(path.suffix.lower())
    if adapter is None:
        raise EditInvalid(
            f"{path.name}: {path.suffix or 'no suffix'} is not a cut format ShotLoop reads",
            field="cut", fix=f"export the cut as one of {', '.join(sorted(ADAPTERS))}")
    if not path.exists():
        raise EditInvalid(f"{path} does not exist", field="cut", fix="check the path of the cut")
    media_root = path.parent
    kwargs: dict[str, object] = {}
    if adapter == "cmx_3600":
        text = _read_text(path)
        return read_cut_string(text, adapter, rate=rate, drop_frame=drop_frame,
                               name=str(path), media_root=path.parent, timeline=timeline)
    if adapter == "otiod":
        media_root = path
    elif adapter == "otioz" and extract_to is not None:
        media_root = Path(extract_to)
        check_bundle_members(path, media_root)
        media_root.mkdir(parents=True, exist_ok=True)
        kwargs["extract_to_directory"] = str(media_root)
    if adapter in ("otio_json", "otiod", "otioz"):
        _check_json_depth(_otio_text(path, adapter), path.name)
    with _explained(path.name, adapter, rate):
        result = otio.adapters.read_from_file(str(path), adapter_name=adapter, **kwargs)
    return _finish(result, path, adapter, rate, drop_frame, media_root, timeline)


def read_cut_string(
    text: str,
    adapter: str,
    *,
    rate: float | None = None,
    drop_frame: bool | None = None,
    name: str = "<cut>",
    media_root: str | Path = ".",
    timeline: str | None = None,
) -> Cut:
    """Read a cut from text with the named adapter (``cmx_3600``, ``otio_json``, ``fcp_xml``...)."""
    source = Path(name)
    kwargs: dict[str, object] = {}
    if adapter == "cmx_3600":
        if rate is None:
            raise EditInvalid(
                f"{source.name}: an EDL carries no frame rate", field="rate",
                fix="pass the rate the cut was made at, e.g. --rate 24 (or set it in the project)")
        if not rate > 0:
            raise EditInvalid(f"{source.name}: rate {rate} is not a frame rate", field="rate",
                              fix="pass a positive rate, e.g. --rate 24")
        rate = snap_rate(rate)
        text, found_df = preflight_edl(text, rate, source.name)
        drop_frame = found_df if drop_frame is None else drop_frame
        kwargs["rate"] = rate
    if adapter == "otio_json":
        _check_json_depth(text, source.name)
    with _explained(source.name, adapter, rate):
        result = otio.adapters.read_from_string(text, adapter_name=adapter, **kwargs)
    return _finish(result, source, adapter, rate, drop_frame, Path(media_root), timeline)


def cut_rate(timeline: otio.schema.Timeline, fallback: float | None = None) -> float | None:
    """The timeline's rate: its start time's, else its first clip's, else ``fallback``."""
    if timeline.global_start_time is not None:
        return float(timeline.global_start_time.rate)
    for clip in timeline.find_clips():
        if clip.source_range is not None:
            return float(clip.source_range.duration.rate)
    return fallback


def check_bundle_members(path: Path, extract_to: Path) -> None:
    """Refuse an .otioz whose members could land outside ``extract_to`` or fill the disk.

    The otioz adapter extracts every member with ``zipfile.extractall``, which quietly
    rewrites hostile names instead of refusing them. A bundle ShotLoop did not write may
    hold absolute names, ``..`` parts, drive letters, symlinks or a declared size larger
    than the free space: any of these refuses the whole bundle before a byte is written.
    """
    try:
        with zipfile.ZipFile(path) as bundle:
            members = bundle.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise EditInvalid(f"{path.name}: is not a readable .otioz (zip) bundle: {exc}",
                          field="cut", fix="write the bundle again from the editing tool") from exc
    root = extract_to.resolve()
    total = 0
    for info in members:
        name = info.filename
        parts = name.replace("\\", "/").split("/")
        mode = (info.external_attr >> 16) & 0o170000
        problem = ""
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
            problem = "is an absolute path"
        elif "\\" in name or ".." in parts:
            problem = "climbs out of the bundle ('..' or '\\')"
        elif not name or "." in parts or "" in parts[:-1]:
            problem = "is not a plain relative name"
        elif mode == 0o120000:
            problem = "is a symbolic link"
        elif not (root / name).resolve().is_relative_to(root):
            problem = "resolves outside the extraction folder"
        if problem:
            raise EditInvalid(f"{path.name}: member {name[:120]!r} {problem}", field="cut.members",
                              fix="only open bundles written by OTIO or ShotLoop; nothing was extracted")
        total += max(0, info.file_size)
    existing = next(p for p in (root, *root.parents) if p.exists())
    free = shutil.disk_usage(existing).free
    if total > free:
        raise EditInvalid(f"{path.name}: unpacks to {total} bytes, more than the {free} bytes free "
                          f"in {extract_to}", field="cut.members",
                          fix="extract to a folder with more space; nothing was extracted")


# --------------------------------------------------------------------------- internals

# OTIO's C++ JSON reader recurses once per nesting level and overflows the stack (the
# process dies, no exception) somewhere past ~40000 levels on an 8 MB main thread, much
# sooner on worker threads. Real timelines nest a few dozen levels.
MAX_JSON_DEPTH = 256
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def _otio_text(path: Path, adapter: str) -> str:
    """The JSON an OTIO file holds (.otiod and .otioz keep it in content.otio)."""
    try:
        if adapter == "otiod":
            return (path / "content.otio").read_text(encoding="utf-8", errors="replace")
        if adapter == "otioz":
            with zipfile.ZipFile(path) as bundle:
                return bundle.read("content.otio").decode("utf-8", errors="replace")
        return path.read_text(encoding="utf-8", errors="replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return ""  # the adapter reports what is wrong with the file


def _check_json_depth(text: str, source: str) -> None:
    depth = deepest = 0
    for bracket in _JSON_BRACKET.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > MAX_JSON_DEPTH:
                raise EditInvalid(f"{source}: nests deeper than {MAX_JSON_DEPTH} levels; not a "
                                  f"timeline ShotLoop will hand to the OTIO reader", field="cut",
                                  fix="export the timeline again from the editing tool")


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


class _explained:
    """Turn whatever an adapter raises into an EditInvalid that says what to do."""

    def __init__(self, source: str, adapter: str, rate: float | None) -> None:
        self.source, self.adapter, self.rate = source, adapter, rate

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        if exc is None or isinstance(exc, EditInvalid) or not isinstance(exc, Exception):
            return False
        text = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
        clip = None
        fix = f"check that it is a valid {self.adapter} file (open it in the editing tool and export again)"
        match = re.search(r"for clip (.+)$", text)
        if match:
            clip = match.group(1).strip()
        if "don't match" in text or "Frame rate mismatch" in text:
            fix = (f"the rate {self.rate:g} fps is probably not the one the cut was made at: "
                   "pass the right --rate")
        elif "transaction_id" in text:
            text = "a dissolve line does not repeat the event number of the cut before it"
            fix = "give both lines of a dissolve the same event number"
        elif "does not support this rate" in text or "drop frame rate" in text:
            fix = "use a SMPTE rate (23.976, 24, 25, 29.97, 30, 50, 59.94, 60)"
        detail = f"{type(exc).__name__}: {exc}"
        raise EditInvalid(f"{self.source}: cannot be read as {self.adapter}: {text}",
                          shot=clip, field="cut", fix=fix, detail=detail[:2000]) from exc


def _finish(result, source: Path, adapter: str, rate: float | None, drop_frame: bool | None,
            media_root: Path, wanted: str | None) -> Cut:
    timeline = _pick_timeline(result, source, adapter, wanted)
    _check_layout(timeline, source)
    _normalise_record_start(timeline)
    if adapter == "fcp_xml":
        _normalise_fcp_markers(timeline)
    if adapter == "cmx_3600":
        repair_cmx_dissolves(timeline)
    found_rate = rate if adapter == "cmx_3600" else cut_rate(timeline, rate)
    if found_rate is None:
        log.warning("%s: no rate in the cut and none given; assuming 24 fps", source.name)
        found_rate = 24.0
    if not timeline.name:
        timeline.name = source.stem
    return Cut(path=source, timeline=timeline, adapter=adapter, rate=snap_rate(found_rate),
               drop_frame=drop_frame, media_root=media_root)


def _pick_timeline(result, source: Path, adapter: str, wanted: str | None) -> otio.schema.Timeline:
    found: list[otio.schema.Timeline] = []
    if isinstance(result, otio.schema.Timeline):
        found = [result]
    elif isinstance(result, otio.schema.SerializableCollection):
        found = [t for t in result.find_children(descended_from_type=otio.schema.Timeline)]
    if wanted is not None:
        named = [t for t in found if t.name == wanted]
        if not named:
            raise EditInvalid(
                f"{source.name}: no timeline named {wanted!r}", field="timeline",
                fix=f"choose one of {[t.name for t in found]}")
        return named[0]
    if not found:
        kind = type(result).__name__ if result is not None else "nothing"
        raise EditInvalid(f"{source.name}: holds {kind}, not a timeline", field="cut",
                          fix=f"export a sequence/timeline as {adapter}")
    for timeline in found:
        if timeline.tracks is None:  # "tracks": null; OTIO would crash walking it
            raise EditInvalid(f"{source.name}: timeline {timeline.name!r} has no track stack",
                              field="tracks", fix=f"export the timeline again as {adapter}")
    if len(found) > 1:
        log.info("%s holds %d timelines; using the first, %r", source.name, len(found), found[0].name)
    return found[0]


def _check_layout(timeline: otio.schema.Timeline, source: Path) -> None:
    """Every item of every video track must have a computable place in time."""
    for t_index, track in enumerate(timeline.video_tracks()):
        for i_index, item in enumerate(track):
            try:
                track.range_of_child_at_index(i_index)
            except (otio.exceptions.OTIOError, NotImplementedError, ValueError, TypeError) as exc:
                kind = type(item).__name__
                raise EditInvalid(
                    f"{source.name}: track {track.name or t_index + 1} item {i_index + 1} "
                    f"({kind} {item.name!r}) has no length: {exc}", shot=item.name or None,
                    field="source_range", fix="give every clip and gap a duration and export again"
                ) from exc


def _normalise_record_start(timeline: otio.schema.Timeline) -> None:
    """Move an EDL-style negative track start into ``global_start_time``."""
    if timeline.global_start_time is not None:
        return
    starts = set()
    tracks = list(timeline.tracks)
    for track in tracks:
        rng = track.source_range
        if rng is None or rng.start_time.value >= 0:
            return
        if rng.duration != track.available_range().duration:
            return
        starts.add((rng.start_time.value, rng.start_time.rate))
    if len(starts) != 1:
        return
    value, rate = starts.pop()
    timeline.global_start_time = RationalTime(-value, rate)
    for track in tracks:
        track.source_range = None


def _normalise_fcp_markers(timeline: otio.schema.Timeline) -> None:
    """FCP 7 clip markers count from the media start; OTIO wants media time."""
    for clip in timeline.find_clips():
        ref = clip.media_reference
        avail = ref.available_range if ref is not None else None
        if avail is None or avail.start_time.value == 0:
            continue
        for marker in clip.markers:
            rng = marker.marked_range
            shifted = rng.start_time + avail.start_time.rescaled_to(rng.start_time.rate)
            if not avail.contains(rng.start_time) and avail.contains(shifted):
                marker.marked_range = TimeRange(shifted, rng.duration)
