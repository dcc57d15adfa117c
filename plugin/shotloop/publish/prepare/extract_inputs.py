import re
from dataclasses import replace
from pathlib import Path

import pyblish.api

from ...model import Endpoint, FrameRange, KeyframeMode

# Which keyframe a neighbour's approved take stands in for: the shot before ends where this
# one starts, the shot after starts where this one ends.
CONTINUITY_ROLES = {"before": "first", "after": "last"}


class ExtractInputs(pyblish.api.InstancePlugin):
    """Make what the service takes: keyframe images in sRGB fitted to the ratio, or an
    H.264 proxy of the plate for video-to-video. Continuity keyframes (a neighbour's
    approved take, from ``recipe.options["continuity"]``) replace the plate's first/last
    frame when the recipe sends that keyframe.

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

            settings = dict(config=config, exposure=float(options.get("exposure", 0.0)),
                            clamp=bool(options.get("clamp", True)), fit=str(options.get("fit", "crop")))
            keys = extract_keyframes(shot, recipe.keyframes, recipe.ratio, work, **settings)
            paths, steps = dict(keys.paths), list(keys.steps)
            for key in options.get("continuity", ()):
                role = CONTINUITY_ROLES.get(key.get("side", ""))
                if role not in paths:
                    continue  # the recipe does not send that keyframe
                frame = int(key["frame"])
                source = replace(shot, name=f"{shot.name}_{key['side']}", frame_range=FrameRange(frame, frame),
                                 source=_as_pattern(str(key["path"]), frame))
                taken = extract_keyframes(source, KeyframeMode.FIRST, recipe.ratio, work / f"continuity_{role}",
                                          frames=(frame,), **settings)
                paths[role] = taken.paths["first"]
                steps += list(taken.steps)
                steps.append({"step": "continuity", "role": role, "from_shot": key.get("shot"),
                              "from_version": key.get("version"), "frame": frame})
            instance.data["inputs"] = paths
            instance.data["input_steps"] = steps


def _as_pattern(path: str, frame: int) -> str:
    """``/v/sh020_gen_v002.1048.exr`` → ``/v/sh020_gen_v002.####.exr`` (what plates use)."""
    name = Path(path).name
    digits = re.search(rf"(?<!\d)0*{frame}(?=\.[^.]+$)", name)
    if not digits:
        return path
    pattern = name[: digits.start()] + "#" * len(digits.group(0)) + name[digits.end():]
    return str(Path(path).with_name(pattern))
