"""Frame numbers, sequence patterns and take placement: plain arithmetic, no bpy.

Kept apart from the strip code so the rules that decide where a take lands on the timeline
can be read (and tested) on their own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# The last run of digits before the extension: plate.1001.exr, plate_1001.exr, plate1001.png
_NUMBERED = re.compile(r"^(?P<head>.*?)(?P<num>\d+)(?P<tail>\.[A-Za-z0-9]+)$")
_PATTERN_TOKEN = re.compile(r"#+|%0(\d+)d|%d")

# A movie's frames are its pictures counted from 0: shotloop.media reads frame N of a movie
# without timecode as picture N, and OTIO media time for a movie starts at 0.
MOVIE_FIRST_FRAME = 0


@dataclass(frozen=True)
class Numbered:
    head: str
    number: int
    padding: int
    tail: str

    def pattern(self) -> str:
        """``plate.####.exr`` (``%05d`` style for paddings other than 4)."""
        token = "####" if self.padding == 4 else f"%0{self.padding}d"
        return f"{self.head}{token}{self.tail}"


def split_numbered(filename: str) -> Numbered | None:
    match = _NUMBERED.match(filename)
    if match is None:
        return None
    digits = match.group("num")
    return Numbered(match.group("head"), int(digits), len(digits), match.group("tail"))


def frame_file(pattern: str, frame: int) -> str:
    """The file of ``frame`` in a ``####`` / ``%04d`` pattern (a movie path comes back unchanged)."""

    def fill(match: re.Match[str]) -> str:
        token = match.group(0)
        width = len(token) if token.startswith("#") else int(match.group(1) or 0)
        return f"{frame:0{width}d}"

    return _PATTERN_TOKEN.sub(fill, pattern, count=1)


def is_pattern(path: str) -> bool:
    return _PATTERN_TOKEN.search(path) is not None


@dataclass(frozen=True)
class Placement:
    """Where a take's strip goes: ``frame_start`` is where its first file sits; the visible
    part is ``[final_start, final_end)`` (always inside the shot's edit range)."""

    frame_start: int
    final_start: int
    final_end: int
    aligned: bool  # False: the take's frame numbers did not overlap the shot's; placed first-to-first


def place_take(edit_start: int, edit_end: int, source_first: int, take_first: int,
               take_count: int) -> Placement:
    """Align a take frame-exactly to a shot's edit range.

    ``edit_start``/``edit_end`` is the source strip's visible range on the timeline (end
    exclusive); ``source_first`` is the plate frame number shown at ``edit_start``. Take frame
    ``n`` lands on ``edit_start + (n - source_first)``, so handles fall outside the cut and are
    trimmed; the visible part never overhangs the cut.
    """
    length = edit_end - edit_start
    if length <= 0 or take_count <= 0:
        raise ValueError(f"empty range: edit {edit_start}-{edit_end}, take of {take_count} frames")
    take_last = take_first + take_count - 1
    overlaps = take_first < source_first + length and source_first <= take_last
    frame_start = edit_start + (take_first - source_first) if overlaps else edit_start
    final_start = max(frame_start, edit_start)
    final_end = min(frame_start + take_count, edit_end)
    return Placement(frame_start, final_start, final_end, overlaps)


def free_channel(busy: dict[int, list[tuple[int, int]]], start: int, end: int, lowest: int,
                 highest: int = 128) -> int:
    """The lowest channel >= ``lowest`` with nothing in ``[start, end)``.

    ``busy`` maps a channel to the ``[start, end)`` ranges of the strips on it.
    """
    channel = lowest
    while channel <= highest:
        if not any(s < end and start < e for s, e in busy.get(channel, ())):
            return channel
        channel += 1
    raise ValueError(f"no free channel at or above {lowest} for frames {start}-{end - 1}")


def timecode(frame: int, rate: float) -> str:
    """Non-drop timecode of a frame count at ``rate`` (23.976 counts as 24, like editorial)."""
    fps = max(1, round(rate))
    sign = "-" if frame < 0 else ""
    frame = abs(frame)
    hours, rest = divmod(frame, 3600 * fps)
    minutes, rest = divmod(rest, 60 * fps)
    seconds, frames = divmod(rest, fps)
    return f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}:{frames:02d}"
