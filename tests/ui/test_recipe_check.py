"""The checks the Send view shows while the artist types (no Qt, no agent)."""
from __future__ import annotations

from dataclasses import replace

from shotloop.model import Endpoint, FrameRange, KeyframeMode, Recipe, Resolution, Shot
from shotloop.ui.profile import ProfileInfo
from shotloop.ui.recipe_check import covering_duration, estimate_batch, plan_shot, utf16_length
from tests.ui.helpers import profile_dict


def profile(**over) -> ProfileInfo:
    return ProfileInfo.from_dict(profile_dict(**over))


def shot(name="sh010", frames=48, fps=24.0, size=(1920, 1080)) -> Shot:
    return Shot(name, f"/plates/{name}.####.exr", FrameRange(1001, 1000 + frames), fps, Resolution(*size))


def recipe(**kw) -> Recipe:
    base = dict(model="gen4_turbo", prompt="a calm sea", endpoint=Endpoint.IMAGE_TO_VIDEO,
                keyframes=KeyframeMode.FIRST, seed=7, ratio="1280:720", duration=5)
    base.update(kw)
    return Recipe(**base)


def test_prompt_length_counts_utf16_units_like_the_service():
    assert utf16_length("abc") == 3
    assert utf16_length("é") == 1
    assert utf16_length("🌊") == 2  # outside the BMP: a surrogate pair
    limits = profile().limits("image_to_video", "gen4_turbo")
    over = "🌊" * 501  # 501 characters, 1002 UTF-16 units
    plan = plan_shot(shot(), recipe(prompt=over), limits, auto_duration=True)
    assert plan.problems == ("sh010: recipe.prompt prompt is 1002 characters (UTF-16), over 1000. "
                             "Fix: remove 2 characters",)


def test_auto_duration_is_the_shortest_offered_that_covers_the_shot():
    info = profile()
    turbo = info.limits("image_to_video", "gen4_turbo")
    veo = info.limits("image_to_video", "veo3.1")
    assert covering_duration(turbo, shot(frames=48)) == 2
    assert covering_duration(turbo, shot(frames=49)) == 3
    assert covering_duration(veo, shot(frames=100)) == 6  # offers 4, 6, 8
    assert covering_duration(veo, shot(frames=400)) == 8  # longest; flagged as too short
    plan = plan_shot(shot(frames=400), recipe(model="veo3.1", ratio="1280:720"), veo, auto_duration=True)
    assert plan.recipe.duration == 8
    assert any("recipe.duration 8 s is shorter than the shot" in p for p in plan.problems)


def test_a_fixed_duration_and_ratio_are_checked_against_the_model():
    limits = profile().limits("image_to_video", "veo3.1")
    plan = plan_shot(shot(), recipe(model="veo3.1", duration=5, ratio="960:960",
                                    keyframes=KeyframeMode.FIRST_LAST), limits, auto_duration=False)
    fields = [p.split(" ")[1] for p in plan.problems]
    assert fields == ["recipe.duration", "recipe.ratio"]  # veo takes first+last keyframes
    turbo = profile().limits("image_to_video", "gen4_turbo")
    plan = plan_shot(shot(), recipe(keyframes=KeyframeMode.FIRST_LAST), turbo, auto_duration=True)
    assert plan.problems == ("sh010: recipe.keyframes gen4_turbo takes only a first keyframe. "
                             "Fix: send the first frame only, or pick a model with first+last",)


def test_models_that_require_a_prompt_say_so():
    limits = profile().limits("image_to_video", "gen4.5")
    plan = plan_shot(shot(), recipe(model="gen4.5", prompt="  "), limits, auto_duration=True)
    assert "sh010: recipe.prompt gen4.5 needs a prompt. Fix: write a prompt" in plan.problems


def test_batch_estimate_against_balance_budget_and_batch_budget():
    info = profile(credit_balance=100.0, budget_credits=500.0, budget_remaining=60.0)
    limits = info.limits("image_to_video", "gen4_turbo")  # 5 credits/s
    plans = [plan_shot(shot(f"sh0{i}0", frames=48 * i), recipe(), limits, auto_duration=True)
             for i in (1, 2, 3)]
    assert [p.recipe.duration for p in plans] == [2, 4, 6]
    estimate = estimate_batch(plans, info, batch_budget=50.0)
    assert estimate.credits == 60.0
    assert estimate.fits is False
    assert estimate.problems == (
        "batch.credits this batch is estimated at 60 credits, over this batch's budget (50). "
        "Fix: raise the batch budget or send less",)
    assert estimate_batch(plans, info).fits  # 60 fits the remaining 60 and the balance
    assert not estimate_batch(plans, replace(info, credit_balance=59.0)).fits
    assert "balance unknown" in estimate_batch(plans, replace(info, credit_balance=None)).line()


def test_unknown_model_is_a_problem_not_a_crash():
    plan = plan_shot(shot(), recipe(model="gen9"), None, auto_duration=True)
    assert plan.credits == 0.0
    assert plan.problems[0].startswith("sh010: recipe.model gen9 is not offered for image_to_video")


def test_limits_summary_reads_as_one_line():
    info = profile()
    assert info.limits("image_to_video", "gen4_turbo").summary() == (
        "2–10 s · 6 ratios · first keyframe only · prompt ≤ 1000 · 5 credits/s")
    assert info.limits("image_to_video", "veo3.1").summary() == (
        "4/6/8 s · 4 ratios · first+last keyframes · prompt ≤ 1000 · 40 credits/s")
    assert info.limits("video_to_video", "aleph2").summary().startswith("length of the plate")
