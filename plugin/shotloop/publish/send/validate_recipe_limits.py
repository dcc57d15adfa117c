import math

import pyblish.api

from ...errors import RecipeInvalid


def _limits(context, endpoint: str, model: str) -> dict | None:
    for entry in context.data.get("profile_info", {}).get("models", []):
        if entry["endpoint"] == endpoint and entry["model"] == model:
            return entry
    return None


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class ValidateRecipeLimits(pyblish.api.InstancePlugin):
    """The recipe fits the model's limits before a single credit is spent.

    Reads: instance.data["shot"], ["recipe"], context.data["profile_info"]["models"].
    Writes: instance.data["estimated_credits"].
    """

    label = "Validate Recipe Limits"
    order = pyblish.api.ValidatorOrder + 0.1
    families = ["shotloop.shot"]

    def process(self, instance):
        shot, recipe = instance.data["shot"], instance.data["recipe"]
        endpoint = recipe.endpoint.value
        limits = _limits(instance.context, endpoint, recipe.model)
        if limits is None:
            offered = sorted({m["model"] for m in instance.context.data.get("profile_info", {}).get("models", [])
                              if m["endpoint"] == endpoint})
            raise RecipeInvalid(f"{recipe.model} is not enabled for {endpoint}", shot=shot.name,
                                field="recipe.model", fix=f"choose one of {offered}")
        if limits["durations"] and recipe.duration not in limits["durations"]:
            raise RecipeInvalid(f"{recipe.duration} s is not offered by {recipe.model}", shot=shot.name,
                                field="recipe.duration", fix=f"choose one of {limits['durations']} s")
        if limits["ratios"] and recipe.ratio not in limits["ratios"]:
            raise RecipeInvalid(f"{recipe.ratio} is not a ratio of {recipe.model}", shot=shot.name,
                                field="recipe.ratio", fix=f"choose one of {limits['ratios']}")
        # An unusable rate is ValidateShotSettings' to report; the length check needs one.
        usable_rate = math.isfinite(shot.fps) and shot.fps > 0
        needed = math.ceil(shot.frame_range.count / shot.fps - 1e-9) if usable_rate else 0
        if recipe.duration < needed:
            longer = [d for d in limits["durations"] if d >= needed]
            raise RecipeInvalid(
                f"{recipe.duration} s is shorter than the shot ({shot.frame_range.count} frames at "
                f"{shot.fps:g} fps need {needed} s)", shot=shot.name, field="recipe.duration",
                fix=f"choose {longer[0]} s" if longer else "shorten the shot's range or pick a model with longer clips",
            )
        length = _utf16(recipe.prompt)
        if length > limits["prompt_max"]:
            raise RecipeInvalid(f"prompt is {length} characters (UTF-16), over {limits['prompt_max']}",
                                shot=shot.name, field="recipe.prompt", fix="shorten the prompt")
        if "promptText" in limits.get("required", ()) and not recipe.prompt.strip():
            raise RecipeInvalid(f"{recipe.model} needs a prompt", shot=shot.name,
                                field="recipe.prompt", fix="write a prompt")
        if not 0 <= recipe.seed <= 4294967295:
            raise RecipeInvalid(f"seed {recipe.seed} is outside 0..4294967295", shot=shot.name,
                                field="recipe.seed", fix="pick a seed in range")
        if recipe.keyframes.value == "first_last" and "last" not in limits.get("positions", ("first",)):
            raise RecipeInvalid(f"{recipe.model} takes only a first keyframe", shot=shot.name,
                                field="recipe.keyframes", fix="send the first frame only, or pick a model with first+last")
        instance.data["estimated_credits"] = float(limits["credits_per_s"]) * recipe.duration
