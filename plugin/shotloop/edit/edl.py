"""What the CMX 3600 reader cannot know or gets wrong, handled around it.

Before reading: an EDL carries no rate, so timecodes are checked against the one given
(a frame number the rate cannot count is explained with the rate that fits), and the
``FCM`` line decides drop frame, as CMX 3600 says (the reader only looks at ``;``).
After reading: the incoming clip of a dissolve gets its own media (``* TO CLIP:``) back;
the reader gives it the outgoing clip's ``FROM CLIP`` media, comments and markers.
"""
from __future__ import annotations

import logging
import re

import opentimelineio as otio
from opentimelineio.opentime import TimeRange

from ..errors import EditInvalid
from .timebase import is_drop_frame_rate

__all__ = ["preflight_edl", "repair_cmx_dissolves"]

log = logging.getLogger(__name__)

_STANDARD_RATES = (24, 25, 30, 48, 50, 60, 120)
_TC = re.compile(r"(?<![\d:;.])(\d{2})([:;.])(\d{2})([:;.])(\d{2})([:;.,])(\d{2})(?![\d:;.])")
_EVENT = re.compile(r"^\s*(\d+)\s+\S+")


def preflight_edl(text: str, rate: float, source: str) -> tuple[str, bool | None]:
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


_SEQUENCE = re.compile(r"\.(\[(\d+)-(\d+)\])\.\w+$")


def repair_cmx_dissolves(timeline: otio.schema.Timeline) -> None:
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
