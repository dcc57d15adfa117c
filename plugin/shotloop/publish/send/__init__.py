"""The send pass: runs in a host or the CLI, with no media libraries.

collect shots → (collect the profile from the agent) → validate frames, settings, recipe and
budget → submit to the agent. Hosts add their own collector in front (it fills
context.data["requests"]).
"""
from __future__ import annotations

from .collect_profile import CollectProfile
from .collect_shots import CollectShots
from .integrate_submit import SubmitToAgent
from .validate_budget import ValidateBudget
from .validate_frames import ValidateFrames
from .validate_recipe_limits import ValidateRecipeLimits
from .validate_shot_settings import ValidateShotSettings


def send_plugins() -> list[type]:
    return [CollectShots, CollectProfile, ValidateFrames, ValidateShotSettings,
            ValidateRecipeLimits, ValidateBudget, SubmitToAgent]


def send(requests, api, *, profile: str = "", collectors=(), **context_data):
    """Run the send pass over ``requests`` and return a Job or an error per request.

    ``collectors`` are host plugins placed in front (they may add to context.data["requests"]).
    Raises ValidationFailed (every problem, one per shot and field) before anything is sent.
    """
    from ..run import new_context, run_pass

    context = new_context(requests=list(requests), api=api, profile=profile, **context_data)
    run_pass(context, [*collectors, *send_plugins()])
    return context.data.get("submitted", [])
