"""Fit plans, ratio sizes and frame maps (pure arithmetic)."""
from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from shotloop.errors import IngestFailed, RecipeInvalid
from shotloop.media.fit import crop_or_pad, plan_fit, ratio_size
from shotloop.media.framemap import map_frames
from shotloop.model import Resolution

R = Resolution


def test_crop_covers_and_centres() -> None:
    fit = plan_fit(R(1920, 1080), R(960, 960), "crop")
    assert fit.window == (420, 0, 1080, 1080)
    assert fit.placement == (0, 0, 960, 960)
    assert fit.scaled.height == 960 and fit.scaled.width >= 960
    scaled = np.arange(fit.scaled.width * fit.scaled.height * 3, dtype=np.int64).reshape(
        fit.scaled.height, fit.scaled.width, 3)
    out = crop_or_pad(scaled, fit)
    assert out.shape == (960, 960, 3)
    assert out[0, 0, 0] == scaled[fit.offset[1], fit.offset[0], 0]


def test_pad_contains_and_centres() -> None:
    fit = plan_fit(R(1000, 1000), R(1280, 720), "pad")
    assert fit.window == (0, 0, 1000, 1000)
    assert fit.placement == (280, 0, 720, 720)
    out = crop_or_pad(np.ones((720, 720, 3), np.uint8), fit)
    assert out.shape == (720, 1280, 3)
    assert out[:, :280].max() == 0 and out[:, 280:1000].min() == 1 and out[:, 1000:].max() == 0


def test_same_size_is_identity() -> None:
    fit = plan_fit(R(320, 180), R(320, 180), "crop")
    assert fit.identity and fit.window == (0, 0, 320, 180)
    assert fit.step()["scale"] == 1.0


def test_unknown_fit_mode() -> None:
    with pytest.raises(RecipeInvalid):
        plan_fit(R(10, 10), R(10, 10), "stretch")


@pytest.mark.parametrize("ratio, mode, expected", [
    ("1280:720", "crop", R(1280, 720)),
    ("960:960", "pad", R(960, 960)),
    ("16:9", "crop", R(2048, 1152)),   # the widest 16:9 window inside a 2048x1556 plate
    ("1:1", "crop", R(1556, 1556)),
    ("1:1", "pad", R(2048, 2048)),
    ("2.39:1", "crop", R(2048, 856)),
])
def test_ratio_sizes(ratio: str, mode: str, expected: Resolution) -> None:
    assert ratio_size(ratio, R(2048, 1556), mode) == expected


@pytest.mark.parametrize("ratio", ["", "1280x720", "0:720", "a:b", "-16:9"])
def test_bad_ratio(ratio: str) -> None:
    with pytest.raises(RecipeInvalid) as err:
        ratio_size(ratio, R(100, 100), shot="sh010")
    assert err.value.field == "recipe.ratio" and err.value.shot == "sh010"


def test_frame_for_frame_trims_and_records() -> None:
    plan = map_frames(24, 30, Fraction(24), 24.0, retime=False, shot="sh")
    assert plan.sources == tuple(range(24)) and plan.needed == 24
    assert plan.step["mode"] == "frame-for-frame" and plan.step["trimmed"] == 6
    assert "fps_reinterpreted" not in plan.step


def test_other_rate_is_reinterpreted_not_stretched() -> None:
    plan = map_frames(24, 30, Fraction(30), 24.0, retime=False, shot="sh")
    assert plan.sources == tuple(range(24))
    assert "fps_reinterpreted" in plan.step and "30" in plan.step["fps_reinterpreted"]


def test_retime_picks_nearest_picture_in_time() -> None:
    plan = map_frames(8, 10, Fraction(30), 24.0, retime=True, shot="sh")
    assert plan.sources == (0, 1, 3, 4, 5, 6, 8, 9)  # round(i * 30 / 24)
    assert plan.step["mode"] == "retime" and plan.step["dropped"] == 2
    slow = map_frames(6, 5, Fraction(12), 24.0, retime=True, shot="sh")
    assert slow.sources == (0, 1, 1, 2, 2, 3) and slow.step["duplicated"] == 2


def test_ntsc_rates_are_exact() -> None:
    plan = map_frames(48, 48, Fraction(24000, 1001), 23.976, retime=True, shot="sh")
    assert plan.sources == tuple(range(48)) and plan.step["shot_fps"] == "24000/1001"


def test_short_clip_names_both_counts_and_the_fix() -> None:
    with pytest.raises(IngestFailed) as err:
        map_frames(50, 40, Fraction(24), 24.0, retime=False, shot="sh010")
    assert "40" in err.value.problem and "50" in err.value.problem
    assert err.value.shot == "sh010" and "longer duration" in err.value.fix
    with pytest.raises(IngestFailed) as err:
        map_frames(48, 40, Fraction(24), 25.0, retime=True, shot="sh010")
    assert "s" in err.value.problem and "longer duration" in err.value.fix
