import pyblish.api


class SubmitToAgent(pyblish.api.ContextPlugin):
    """Hand every validated shot to the local agent in one batch.

    Reads: instance.data["request"] of every instance, context.data["api"].
    Writes: context.data["submitted"] (a Job or a ShotLoopError per request, in order).
    """

    label = "Submit To Agent"
    order = pyblish.api.IntegratorOrder

    def process(self, context):
        requests = [instance.data["request"] for instance in context]
        context.data["submitted"] = context.data["api"].submit(requests) if requests else []
