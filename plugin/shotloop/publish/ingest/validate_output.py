import pyblish.api

from ...errors import IngestFailed


class ValidateOutput(pyblish.api.InstancePlugin):
    """The returned clip decodes, has a picture and enough frames for the shot.

    Reads: instance.data["clip"], ["target"], ["recipe"]. Writes: instance.data["probe"].
    """

    label = "Validate Output Decodes"
    order = pyblish.api.ValidatorOrder
    families = ["shotloop.shot"]

    def process(self, instance):
        from ...media.video import probe_video

        shot, target = instance.data["shot"], instance.data["target"]
        probe = probe_video(instance.data["clip"], shot=shot.name)
        instance.data["probe"] = probe
        retime = bool((instance.data["recipe"].options or {}).get("retime", False))
        needed = target.frame_range.count
        if retime:
            have_s, need_s = probe.frames / float(probe.fps), needed / target.fps
            if have_s + 1e-6 < need_s:
                raise IngestFailed(f"the clip lasts {have_s:.2f} s, the shot needs {need_s:.2f} s",
                                   shot=shot.name, field="output.duration",
                                   fix="generate a longer duration")
        elif probe.frames < needed:
            raise IngestFailed(f"the clip has {probe.frames} frames, the shot needs {needed}",
                               shot=shot.name, field="output.frames",
                               fix="generate a longer duration, or allow retiming")
