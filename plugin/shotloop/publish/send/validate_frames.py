from pathlib import Path
from typing import Iterable

import pyblish.api

from ...errors import PlateInvalid
from ...sequence import compact_ranges, frame_path, has_frame_token, missing_frames


def empty_frames(pattern: str, frames: Iterable[int]) -> list[int]:
    """Frames whose file exists but holds no bytes (a movie is checked as one file)."""
    if not has_frame_token(pattern):
        movie = Path(pattern)
        return list(frames) if movie.is_file() and movie.stat().st_size == 0 else []
    found = []
    for frame in frames:
        try:
            if frame_path(pattern, frame).stat().st_size == 0:
                found.append(frame)
        except OSError:
            continue
    return found


class ValidateFrames(pyblish.api.InstancePlugin):
    """Every frame of the shot's range is on disk and not empty (or the movie exists).

    Reads: instance.data["shot"]. Writes: nothing.
    """

    label = "Validate Frames On Disk"
    order = pyblish.api.ValidatorOrder
    families = ["shotloop.shot"]

    def process(self, instance):
        shot = instance.data["shot"]
        if not shot.source:
            raise PlateInvalid("has no source media", shot=shot.name, field="shot.source",
                               fix="point the shot at a plate (image sequence or movie)")
        missing = missing_frames(shot.source, shot.frame_range.frames())
        if missing:
            raise PlateInvalid(
                f"{len(missing)} of {shot.frame_range.count} frames are missing "
                f"({compact_ranges(missing)}) in {shot.source}",
                shot=shot.name, field="shot.source",
                fix="render or copy the missing frames, or narrow the frame range",
            )
        empty = empty_frames(shot.source, shot.frame_range.frames())
        if empty:
            raise PlateInvalid(
                f"{len(empty)} of {shot.frame_range.count} frames are empty files "
                f"({compact_ranges(empty)}) in {shot.source}",
                shot=shot.name, field="shot.source",
                fix="render the empty frames again (a render that failed leaves 0-byte files)",
            )
