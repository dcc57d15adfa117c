"""Shared values for the panel tests."""
from __future__ import annotations

from typing import Any

from shotloop.providers.runway_models import MODELS


def profile_dict(**over: Any) -> dict[str, Any]:
    """A /v1/profile answer for the reference profile, built from the model table."""
    models = [{"endpoint": s.endpoint, "model": s.model, "ratios": list(s.ratios),
               "durations": list(s.durations), "positions": list(s.positions),
               "prompt_max": s.prompt_max, "required": sorted(s.required),
               "credits_per_s": s.credits_per_s} for s in MODELS]
    data: dict[str, Any] = {"name": "reference", "models": models, "colorspaces": ["ACEScg"],
                            "budget_credits": None, "spent_credits": 0.0, "budget_remaining": None,
                            "credit_balance": 1000.0, "concurrency": 2}
    data.update(over)
    return data

SCREEN_SIZE = (1440, 900)  # the panel's size in screenshots: readable on a 1080p screen
