import pyblish.api

from ..run import add_instance


class CollectDownload(pyblish.api.ContextPlugin):
    """The downloaded output of a job and where its version will be written.

    Reads: context.data["job"], ["clip"] (Path of the downloaded file), ["number"] (reserved
    version number), ["staging"] (Path), ["store"] (VersionStore).
    Writes: one instance with instance.data["job"], ["shot"], ["recipe"], ["clip"], ["target"].
    """

    label = "Collect Download"
    order = pyblish.api.CollectorOrder

    def process(self, context):
        from ...media.ingest import ConformTarget

        job = context.data["job"]
        shot = job.shot
        target = ConformTarget(shot=shot.name, label=job.recipe.label, version=context.data["number"],
                               frame_range=shot.frame_range, fps=shot.fps, resolution=shot.resolution,
                               colorspace=context.data.get("working_space") or shot.colorspace)
        add_instance(context, shot.name, job=job, shot=shot, recipe=job.recipe,
                     clip=context.data["clip"], target=target)
