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
- EDL drop-frame is decided by the ``FCM`` line, as CMX 3600 says, not only by ``;``;
- the incoming clip of an EDL dissolve gets its own media (``* TO CLIP:``) back: the
  CMX reader gives it the outgoing clip's ``FROM CLIP`` media, comments and markers.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio
from opentimelineio.opentime import RationalTime, TimeRange

from ..errors import EditInvalid
from .timebase import is_drop_frame_rate, snap_rate

__all__ = ["Cut", "ADAPTERS", "read_cut", "read_cut_string", "cut_rate"]

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
_STANDARD_RATES = (24, 25, 30, 48, 50, 60, 120)
_TC = re.compile(r"(?<![\d:;.])(\d{2})([:;.])(\d{2})([:;.])(\d{2})([:;.,])(\d{2})(?![\d:;.])")
_EVENT = re.compile(r"^\s*(\d+)\s+\S+")


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
        media_root.mkdir(parents=True, exist_ok=True)
        kwargs["extract_to_directory"] = str(media_root)
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
        rate = snap_rate(rate)
        text, found_df = _preflight_edl(text, rate, source.name)
        drop_frame = found_df if drop_frame is None else drop_frame
        kwargs["rate"] = rate
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


# --------------------------------------------------------------------------- internals


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


def _preflight_edl(text: str, rate: float, source: str) -> tuple[str, bool | None]:
    """Check timecodes against the rate and apply the FCM line; returns (text, drop_frame)."""
    nominal = int(round(rate))
    df_rate = is_drop_frame_rate(rate)
    drop: bool | None = None  # what FCM said last
    any_df = False
    lines = text.splitlines()
    out: list[str] = []
    names = _event_names(lines)
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        upper = stripped.upper()
        if upper.startswith("FCM"):
            drop = "NON" not in upper and "DROP" in upper
            out.append(line)
            continue
        event = _EVENT.match(line)
        is_loc = upper.startswith("* LOC") or upper.startswith("*LOC")
        if not (event or is_loc):
            out.append(line)
            continue
        clip = names.get(number)
        for tc in _TC.finditer(line):
            frames = int(tc.group(7))
            if frames >= nominal:
                fits = next((r for r in _STANDARD_RATES if r > frames), None)
                suggestion = f"--rate {fits}" + (" (or 29.97)" if fits == 30 else "") \
                    if fits else "the rate the cut was made at"
                raise EditInvalid(
                    f"{source}: line {number} timecode {tc.group(0)} has frame {frames:02d}, "
                    f"but at {rate:g} fps frames only run 00-{nominal - 1:02d}",
                    shot=clip, field="rate",
                    fix=f"the EDL was cut at a higher rate: read it with {suggestion}")
            uses_df = tc.group(6) in ";,"
            any_df = any_df or uses_df or bool(drop)
            if uses_df and not df_rate:
                raise EditInvalid(
                    f"{source}: line {number} uses drop-frame timecode {tc.group(0)}, "
                    f"which only exists at 29.97 and 59.94 fps, not {rate:g}",
                    shot=clip, field="rate", fix="read it with --rate 29.97 (or 59.94)")
        if drop and not df_rate:
            log.warning("%s: FCM says DROP FRAME but %g fps has no drop frame; ignored", source, rate)
            drop = False
        if drop is not None and df_rate:
            sep = ";" if drop else ":"
            line = _TC.sub(lambda m: "".join(m.group(i) for i in (1, 2, 3, 4, 5)) + sep + m.group(7), line)
        out.append(line)
    found = drop if drop is not None else (any_df or None)
    return "\n".join(out) + "\n", found


def _event_names(lines: list[str]) -> dict[int, str]:
    """Line number of each event / LOC line → the clip name given below it."""
    names: dict[int, str] = {}
    pending: list[int] = []
    current = ""
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        event = _EVENT.match(line)
        if event and not stripped.startswith("*"):
            if event.group(1) != current:  # a new event: earlier ones had no name
                pending, current = [], event.group(1)
            pending.append(number)
        elif stripped.upper().startswith(("* LOC", "*LOC")):
            pending.append(number)
        elif "FROM CLIP NAME" in stripped.upper() and ":" in stripped:
            for n in pending:
                names[n] = stripped.split(":", 1)[1].strip()
            pending = []
    return names


def _finish(result, source: Path, adapter: str, rate: float | None, drop_frame: bool | None,
            media_root: Path, wanted: str | None) -> Cut:
    timeline = _pick_timeline(result, source, adapter, wanted)
    _check_layout(timeline, source)
    _normalise_record_start(timeline)
    if adapter == "fcp_xml":
        _normalise_fcp_markers(timeline)
    if adapter == "cmx_3600":
        _repair_cmx_dissolves(timeline)
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


_SEQUENCE = re.compile(r"\.(\[(\d+)-(\d+)\])\.\w+$")


def _repair_cmx_dissolves(timeline: otio.schema.Timeline) -> None:
    for track in timeline.video_tracks():
        previous: otio.schema.Clip | None = None
        for item in track:
            if not isinstance(item, otio.schema.Clip):
                continue
            cmx = item.metadata.get("cmx_3600", {})
            comments = [str(c) for c in cmx.get("comments", [])] if hasattr(cmx, "get") else []
            to = next((i for i, c in enumerate(comments) if c.upper().startswith("TO CLIP:")), None)
            if to is not None:
                url = comments[to].split(":", 1)[1].strip()
                item.media_reference = _cmx_reference(url, item.source_range)
                data = dict(cmx)
                data["comments"] = comments[to + 1:]
                item.metadata["cmx_3600"] = data
                if previous is not None:
                    leaked = {(m.name, m.marked_range.start_time.value) for m in previous.markers}
                    keep = [m.clone() for m in item.markers
                            if (m.name, m.marked_range.start_time.value) not in leaked]
                    while len(item.markers):
                        item.markers.pop()
                    item.markers.extend(keep)
            previous = item


def _cmx_reference(url: str, source: TimeRange | None) -> otio.schema.MediaReference:
    """A media reference for an EDL ``FROM/TO CLIP`` line, as the CMX reader makes them."""
    found = _SEQUENCE.search(url)
    if found is None:
        return otio.schema.ExternalReference(target_url=url)
    folder, _, base = url.rpartition("/")
    prefix, _, suffix = base.partition(found.group(1))
    return otio.schema.ImageSequenceReference(
        target_url_base=folder, name_prefix=prefix, name_suffix=suffix,
        start_frame=int(found.group(2)), frame_zero_padding=len(found.group(2)),
        rate=source.start_time.rate if source is not None else 24,
        available_range=source)
