import pyblish.api

from ...errors import PlateInvalid
from ...store.names import safe_name


class ValidateShotSettings(pyblish.api.InstancePlugin):
    """Shot and label names are safe as folder names; frame rate, resolution and colour
    space make sense and are known to the OCIO config.

    Reads: instance.data["shot"], ["recipe"], context.data["profile_info"]["colorspaces"] (when known).
    Writes: nothing.
    """

    label = "Validate Shot Settings"
    order = pyblish.api.ValidatorOrder
    families = ["shotloop.shot"]

    def process(self, instance):
        shot = instance.data["shot"]
        # The name and label become folders in the version store: refuse before sending.
        safe_name(shot.name, field="shot.name", shot=shot.name)
        safe_name(instance.data["recipe"].label, field="recipe.label", shot=shot.name)
        if not 1.0 <= shot.fps <= 240.0:
            raise PlateInvalid(f"frame rate {shot.fps} is not a usable rate", shot=shot.name,
                               field="shot.fps", fix="set the project or clip frame rate (e.g. 24, 25, 23.976)")
        if shot.resolution.width < 16 or shot.resolution.height < 16:
            raise PlateInvalid(f"resolution {shot.resolution} is too small", shot=shot.name,
                               field="shot.resolution", fix="check the plate's format")
        known = instance.context.data.get("profile_info", {}).get("colorspaces")
        if known and shot.colorspace not in known:
            raise PlateInvalid(
                f"colour space '{shot.colorspace}' is not in the OCIO config",
                shot=shot.name, field="shot.colorspace",
                fix="pick one of the config's colour spaces (e.g. ACEScg) or set the host's OCIO config",
            )
