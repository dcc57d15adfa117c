import pyblish.api

from ..run import add_instance


class CollectShots(pyblish.api.ContextPlugin):
    """Turn the requests a host or the CLI gathered into one instance per shot.

    Reads: context.data["requests"] (list of model.JobRequest).
    Writes: one instance per request with instance.data["request"], ["shot"], ["recipe"], ["edit"].
    """

    label = "Collect Shots"
    order = pyblish.api.CollectorOrder

    def process(self, context):
        for request in context.data.get("requests", []):
            add_instance(context, request.shot.name, request=request, shot=request.shot,
                         recipe=request.recipe, edit=request.edit)
