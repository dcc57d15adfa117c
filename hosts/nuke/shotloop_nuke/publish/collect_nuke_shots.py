import pyblish.api

from shotloop.model import JobRequest

from ..cut import apply


class CollectNukeShots(pyblish.api.ContextPlugin):
    """Turn the shots collected from the Nuke script into job requests, with the cut's context.

    Runs off the main thread: it reads only values gathered on the main thread, never nodes.
    Reads: context.data["nuke_selections"] (list of host.ShotSelection), ["recipe"],
    ["cut_path"], ["fps"], ["store_root"], ["profile"], ["batch"].
    Writes: context.data["requests"] (JobRequest per selection, appended) and
    context.data["request_sources"] (the node id each request came from, same order).
    """

    label = "Collect Nuke Shots"
    order = pyblish.api.CollectorOrder - 0.1
    hosts = ["nuke"]

    def process(self, context):
        selections = list(context.data.get("nuke_selections", []))
        shots = [s.shot for s in selections]
        paired = apply(shots, context.data.get("cut_path", ""), float(context.data.get("fps", 24.0)))
        requests = context.data.setdefault("requests", [])
        sources = context.data.setdefault("request_sources", [])
        for selection, (shot, edit) in zip(selections, paired):
            requests.append(JobRequest(
                shot=shot, recipe=context.data["recipe"], edit=edit or selection.edit,
                profile=context.data.get("profile", ""), store_root=context.data.get("store_root", ""),
                batch=context.data.get("batch", "")))
            sources.append(selection.node_id)
