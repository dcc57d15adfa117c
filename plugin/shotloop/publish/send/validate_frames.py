import pyblish.api

from ...errors import PlateInvalid
from ...sequence import compact_ranges, missing_frames


class ValidateFrames(pyblish.api.InstancePlugin):
    """Every frame of the shot's range is on disk (or the movie exists).

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
