import pyblish.api

from ..run import add_instance


class CollectJob(pyblish.api.ContextPlugin):
    """The job the agent is preparing, as one instance.

    Reads: context.data["job"] (model.Job), ["work_dir"] (Path), ["ocio_config"] (str|None).
    Writes: instance.data["job"], ["shot"], ["recipe"], ["work_dir"].
    """

    label = "Collect Job"
    order = pyblish.api.CollectorOrder

    def process(self, context):
        job = context.data["job"]
        add_instance(context, job.shot.name, job=job, shot=job.shot, recipe=job.recipe,
                     work_dir=context.data["work_dir"])
