"""Continuity keyframes: a neighbour's approved take replaces the plate's first keyframe."""
import numpy as np
import OpenImageIO as oiio

from shotloop.model import FrameRange, Job, KeyframeMode, Recipe, Resolution, Shot
from shotloop.publish.prepare import prepare_plugins
from shotloop.publish.run import new_context, run_pass
from tests.media_fixtures import make_exr_plate

W, H = 64, 36


def _png_mean(path):
    return oiio.ImageBuf(str(path)).get_pixels(oiio.FLOAT).reshape(-1, 3).mean(axis=0)


def test_the_shot_before_gives_the_first_keyframe(tmp_path):
    plate = make_exr_plate(tmp_path / "plate", "sh020", 1001, 1010, W, H,
                           rgb_first=(0.02, 0.02, 0.02), rgb_last=(0.02, 0.02, 0.02))
    before = make_exr_plate(tmp_path / "v", "sh010_gen_v002", 1001, 1048, W, H,
                            rgb_first=(0.5, 0.1, 0.05), rgb_last=(0.5, 0.1, 0.05))
    continuity = [{"side": "before", "shot": "sh010", "version": "sh010_gen_v002", "frame": 1048,
                   "path": before.replace("####", "1048")},
                  {"side": "after", "shot": "sh030", "version": "sh030_gen_v001", "frame": 1001,
                   "path": "/nowhere/sh030_gen_v001.1001.exr"}]  # no last keyframe is sent: unused
    shot = Shot("sh020", plate, FrameRange(1001, 1010), 24.0, Resolution(W, H))
    job = Job("j", shot, Recipe("gen4_turbo", "x", keyframes=KeyframeMode.FIRST,
                                options={"continuity": continuity}))
    context = run_pass(new_context(job=job, work_dir=tmp_path / "work", ocio_config=None), prepare_plugins())
    inputs, steps = context[0].data["inputs"], context[0].data["input_steps"]
    assert set(inputs) == {"first"}
    red, green, blue = _png_mean(inputs["first"])
    assert red > 0.5 and red > green > blue  # the warm neighbour frame, not the dark plate
    assert {"step": "continuity", "role": "first", "from_shot": "sh010",
            "from_version": "sh010_gen_v002", "frame": 1048} in steps
