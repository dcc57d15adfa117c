"""Frame and timecode arithmetic shared by the edit modules.

OTIO keeps times as RationalTime at whatever rate the media had; ShotLoop reports
everything in whole frames at the timeline's rate. ``to_frames()`` truncates, so every
conversion here rounds explicitly.
"""
from __future__ import annotations

import opentimelineio as otio
from opentimelineio.opentime import RationalTime, TimeRange

from ..model import FrameRange, rate_fraction

__all__ = [
    "snap_rate",
    "frame_of",
    "frame_range_of",
    "timecode_of",
    "is_drop_frame_rate",
    "intersect",
]


def snap_rate(fps: float) -> float:
    """The exact rate behind a typed one (23.976 → 24000/1001 as a float)."""
    return float(rate_fraction(float(fps)))


def is_drop_frame_rate(rate: float) -> bool:
    return any(abs(rate - base * 1000 / 1001) < 1e-3 for base in (30, 60))


def frame_of(time: RationalTime, rate: float) -> int:
    """``time`` as a whole frame number at ``rate`` (rounded, never truncated)."""
    return int(round(time.value_rescaled_to(rate)))


def frame_range_of(time_range: TimeRange, rate: float) -> FrameRange:
    """An OTIO range as inclusive frames at ``rate``; needs a duration of at least 1 frame."""
    first = frame_of(time_range.start_time, rate)
    count = frame_of(time_range.duration, rate)
    return FrameRange(first, first + max(count, 1) - 1)


def timecode_of(frame: int, rate: float, drop_frame: bool | None = None) -> str:
    """SMPTE timecode of a frame number; ``""`` where timecode cannot say it (negative)."""
    if frame < 0:
        return ""
    try:
        if drop_frame and not is_drop_frame_rate(rate):
            drop_frame = False
        return RationalTime(frame, rate).to_timecode(rate, drop_frame)
    except ValueError:
        return ""


def intersect(a: TimeRange, b: TimeRange) -> TimeRange | None:
    """The true overlap of two ranges (``TimeRange.clamped`` is not one)."""
    start = max(a.start_time, b.start_time)
    end = min(a.end_time_exclusive(), b.end_time_exclusive())
    if end <= start:
        return None
    return otio.opentime.range_from_start_end_time(start, end)
