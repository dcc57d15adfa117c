import pyblish.api

from shotloop.errors import ShotLoopError

from .. import jobrequests as build


class CollectBlenderShots(pyblish.api.ContextPlugin):
    """Turn the strips collected on Blender's main thread into job requests with the VSE cut's
    context (editorial's rules: handles, neighbours, markers, duration, ratio).

    Runs off the main thread: it reads only values gathered there, never bpy.
    Reads: context.data["blender_selections"] (host.ShotSelection per strip), ["blender_cut"]
    (edit.read.Cut of the Sequencer), ["handles"], ["recipe"], ["store_root"], ["profile"], ["batch"].
    Writes: context.data["requests"] (a JobRequest per shot that fits, appended, also to
    ["blender_requests"] for the caller) and ["collect_errors"] (a ShotLoopError per shot
    that cannot fit, e.g. longer than the model's longest take).
    """

    label = "Collect Blender Shots"
    order = pyblish.api.CollectorOrder - 0.1
    hosts = ["blender"]

    def process(self, context):
        selections = build.place(context.data["blender_selections"], context.data["blender_cut"],
                                 tuple(context.data.get("handles", (8, 8))))
        made, errors = build.requests_for(selections, context.data["recipe"],
                                          store_root=context.data.get("store_root", ""),
                                          profile=context.data.get("profile", ""),
                                          batch=context.data.get("batch", ""))
        context.data.setdefault("requests", []).extend(made)
        context.data.setdefault("blender_requests", []).extend(made)
        context.data.setdefault("collect_errors", []).extend(e for e in errors if isinstance(e, ShotLoopError))
