import pyblish.api


class IntegrateVersion(pyblish.api.InstancePlugin):
    """Publish the staging folder as the next version with its provenance (one rename).

    Reads: instance.data["job"], ["target"], ["conformed"], context.data["store"],
    ["staging"], ["provenance"] (a callable building version.json from the conform result).
    Writes: instance.data["version"] (model.Version).
    """

    label = "Integrate Version"
    order = pyblish.api.IntegratorOrder
    families = ["shotloop.shot"]

    def process(self, instance):
        context = instance.context
        target = instance.data["target"]
        provenance = context.data["provenance"](instance.data["conformed"])
        instance.data["version"] = context.data["store"].publish(
            context.data["staging"], target.shot, target.label, target.version, provenance)
