import pyblish.api

from ...errors import PlateInvalid
from ...sequence import compact_ranges, missing_frames


class ValidatePlate(pyblish.api.InstancePlugin):
    """The plate is complete and its colour space exists in the OCIO config in use.

    Reads: instance.data["shot"], context.data["ocio_config"]. Writes: instance.data["config"].
    """

    label = "Validate Plate"
    order = pyblish.api.ValidatorOrder
    families = ["shotloop.shot"]

    def process(self, instance):
        from ...media.colour import check_colorspace, resolve_config

        shot = instance.data["shot"]
        missing = missing_frames(shot.source, shot.frame_range.frames())
        if missing:
            raise PlateInvalid(f"frames {compact_ranges(missing)} of {shot.source} are missing",
                               shot=shot.name, field="shot.source",
                               fix="restore the frames, then retry the job")
        config = resolve_config(instance.context.data.get("ocio_config"))
        check_colorspace(config, shot.colorspace, shot=shot.name, field="shot.colorspace")
        instance.data["config"] = config
