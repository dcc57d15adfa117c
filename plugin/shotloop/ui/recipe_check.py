"""What a recipe would send for each shot, what it would cost, and what is wrong with it.

Pure functions (no Qt) so the panel can re-check on every keystroke. They follow the send
pass's validators (publish/send/validate_recipe_limits.py, validate_budget.py), which check
everything again before anything is sent; here the point is to show the artist at once.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Sequence

from ..errors import RecipeInvalid
from ..model import Endpoint, KeyframeMode, Recipe, Shot
from .profile import ModelLimits, ProfileInfo

SEED_MAX = 4294967295


def utf16_length(text: str) -> int:
    """Prompt length as the service counts it: UTF-16 code units (an emoji counts 2)."""
    return len(text.encode("utf-16-le")) // 2


def seconds_needed(shot: Shot) -> int:
    return max(1, math.ceil(shot.frame_range.count / shot.fps - 1e-9))


def covering_duration(limits: ModelLimits, shot: Shot) -> int:
    """The shortest duration the model offers that covers the shot (else its longest).

    Models whose output follows the input clip (no duration list) get the shot's length.
    """
    needed = seconds_needed(shot)
    if not limits.durations:
        return needed
    offered = sorted(limits.durations)
    return next((d for d in offered if d >= needed), offered[-1])


def closest_ratio(shot: Shot, limits: ModelLimits) -> str:
    from ..edit.request import ratio_for

    return ratio_for(shot.resolution, limits.ratios)


@dataclass(frozen=True)
class ShotPlan:
    """One shot with the recipe it would be sent with, its estimate and its problems."""

    shot: Shot
    recipe: Recipe
    credits: float
    problems: tuple[str, ...] = ()


def plan_shot(shot: Shot, recipe: Recipe, limits: ModelLimits | None, *,
              auto_duration: bool) -> ShotPlan:
    """``recipe`` fitted to ``shot`` (duration when ``auto_duration``) and checked."""
    if limits is None:
        problem = RecipeInvalid(f"{recipe.model} is not offered for {recipe.endpoint.value}",
                                shot=shot.name, field="recipe.model", fix="pick another model")
        return ShotPlan(shot, recipe, 0.0, (problem.message,))
    if auto_duration or not limits.durations:
        recipe = replace(recipe, duration=covering_duration(limits, shot))
    problems = tuple(err.message for err in check_recipe(shot, recipe, limits))
    return ShotPlan(shot, recipe, limits.credits_per_s * recipe.duration, problems)


def check_recipe(shot: Shot, recipe: Recipe, limits: ModelLimits) -> list[RecipeInvalid]:
    """Every way ``recipe`` breaks the model's limits for ``shot`` (empty: it fits)."""
    found: list[RecipeInvalid] = []

    def add(problem: str, field: str, fix: str) -> None:
        found.append(RecipeInvalid(problem, shot=shot.name, field=field, fix=fix))

    if limits.durations and recipe.duration not in limits.durations:
        add(f"{recipe.duration} s is not offered by {recipe.model}", "recipe.duration",
            f"choose one of {sorted(limits.durations)} s")
    needed = seconds_needed(shot)
    if recipe.duration < needed:
        longer = [d for d in sorted(limits.durations) if d >= needed]
        add(f"{recipe.duration} s is shorter than the shot ({shot.frame_range.count} frames at "
            f"{shot.fps:g} fps need {needed} s)", "recipe.duration",
            f"choose {longer[0]} s" if longer else "shorten the shot's range or pick a model with longer clips")
    if limits.ratios and recipe.ratio not in limits.ratios:
        add(f"{recipe.ratio} is not a ratio of {recipe.model}", "recipe.ratio",
            f"choose one of {list(limits.ratios)}")
    length = utf16_length(recipe.prompt)
    if length > limits.prompt_max:
        add(f"prompt is {length} characters (UTF-16), over {limits.prompt_max}", "recipe.prompt",
            f"remove {length - limits.prompt_max} characters")
    needs_text = limits.needs_prompt or recipe.endpoint is Endpoint.TEXT_TO_VIDEO
    if needs_text and not recipe.prompt.strip():
        add(f"{recipe.model} needs a prompt", "recipe.prompt", "write a prompt")
    if not 0 <= recipe.seed <= SEED_MAX:
        add(f"seed {recipe.seed} is outside 0..{SEED_MAX}", "recipe.seed", "pick a seed in range")
    if recipe.keyframes is KeyframeMode.FIRST_LAST and not limits.takes_last_keyframe:
        add(f"{recipe.model} takes only a first keyframe", "recipe.keyframes",
            "send the first frame only, or pick a model with first+last")
    if not recipe.label.strip():
        add("the version label is empty", "recipe.label", "name the version stream, e.g. gen")
    return found


@dataclass(frozen=True)
class BatchEstimate:
    """The batch's estimated credits against what the account and budgets allow."""

    credits: float
    balance: float | None
    budget_remaining: float | None
    batch_budget: float | None
    problems: tuple[str, ...] = ()

    @property
    def fits(self) -> bool:
        return not self.problems

    def line(self) -> str:
        parts = [f"Estimated {self.credits:,.0f} credits"]
        if self.batch_budget:
            parts.append(f"batch budget {self.batch_budget:,.0f}")
        if self.budget_remaining is not None:
            parts.append(f"profile budget left {self.budget_remaining:,.0f}")
        parts.append("balance unknown" if self.balance is None else f"balance {self.balance:,.0f}")
        return " · ".join(parts)


def estimate_batch(plans: Sequence[ShotPlan], profile: ProfileInfo | None,
                   batch_budget: float | None = None) -> BatchEstimate:
    total = float(sum(p.credits for p in plans))
    balance = profile.credit_balance if profile else None
    remaining = profile.budget_remaining if profile else None
    problems = []
    for limit, what, fix in (
            (batch_budget or None, "this batch's budget", "raise the batch budget or send less"),
            (remaining, "the profile's remaining budget", "send fewer shots, shorter or cheaper"),
            (balance, "the account's credit balance", "buy credits or send less")):
        if limit is not None and total > limit:
            problems.append(RecipeInvalid(
                f"this batch is estimated at {total:,.0f} credits, over {what} ({limit:,.0f})",
                field="batch.credits", fix=fix).message)
    return BatchEstimate(total, balance, remaining, batch_budget or None, tuple(problems))
