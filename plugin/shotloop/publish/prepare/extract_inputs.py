import pyblish.api

from ...model import Endpoint, KeyframeMode


class ExtractInputs(pyblish.api.InstancePlugin):
    """Make what the service takes: keyframe images in sRGB fitted to the ratio, or an
    H.264 proxy of the plate for video-to-video.

    Reads: instance.data["shot"], ["recipe"], ["work_dir"], ["config"].
    Writes: instance.data["inputs"] (role → Path), ["input_steps"] (list of recorded steps).
    """

    label = "Extract Keyframes Or Proxy"
    order = pyblish.api.ExtractorOrder
    families = ["shotloop.shot"]

    def process(self, instance):
        shot, recipe = instance.data["shot"], instance.data["recipe"]
        work = instance.data["work_dir"]
        config = instance.data.get("config")
        options = recipe.options or {}
        if recipe.endpoint is Endpoint.VIDEO_TO_VIDEO:
            from ...media.proxy import make_proxy

            proxy = make_proxy(shot, recipe.ratio, work / f"{shot.name}_proxy.mp4", config=config,
                               fit=str(options.get("fit", "crop")))
            instance.data["inputs"] = {"video": proxy.path}
            instance.data["input_steps"] = list(proxy.steps)
        elif recipe.endpoint is Endpoint.TEXT_TO_VIDEO or recipe.keyframes is KeyframeMode.NONE:
            instance.data["inputs"] = {}
            instance.data["input_steps"] = []
        else:
            from ...media.keyframes import extract_keyframes

            keys = extract_keyframes(shot, recipe.keyframes, recipe.ratio, work, config=config,
                                     exposure=float(options.get("exposure", 0.0)),
                                     clamp=bool(options.get("clamp", True)),
                                     fit=str(options.get("fit", "crop")))
            instance.data["inputs"] = dict(keys.paths)
            instance.data["input_steps"] = list(keys.steps)
