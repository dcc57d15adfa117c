import pyblish.api


class ExtractConform(pyblish.api.InstancePlugin):
    """Conform the clip to the shot in the staging folder: frame range, rate, resolution,
    sRGB → working space, half-float EXR sequence, review movie and thumbnail.

    Reads: instance.data["clip"], ["target"], ["recipe"], context.data["staging"],
    ["ocio_config"], ["progress"], ["cancel"]. Writes: instance.data["conformed"].
    """

    label = "Extract Conformed Version"
    order = pyblish.api.ExtractorOrder
    families = ["shotloop.shot"]

    def process(self, instance):
        from ...media.ingest import conform

        context = instance.context
        options = instance.data["recipe"].options or {}
        instance.data["conformed"] = conform(
            instance.data["clip"], instance.data["target"], context.data["staging"],
            config=context.data.get("ocio_config"), retime=bool(options.get("retime", False)),
            fit=str(options.get("fit", "crop")), progress=context.data.get("progress"),
            cancel=context.data.get("cancel"),
        )
