"""What the agent says a provider profile allows (GET /v1/profile), as plain values.

The panel shows these limits while the artist types; the send pass checks them again.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class ModelLimits:
    endpoint: str
    model: str
    ratios: tuple[str, ...]
    durations: tuple[int, ...]
    positions: tuple[str, ...] = ("first",)
    prompt_max: int = 1000
    required: tuple[str, ...] = ()
    credits_per_s: float = 0.0

    @property
    def needs_prompt(self) -> bool:
        return "promptText" in self.required

    @property
    def takes_last_keyframe(self) -> bool:
        return "last" in self.positions

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ModelLimits":
        return cls(endpoint=str(data["endpoint"]), model=str(data["model"]),
                   ratios=tuple(str(r) for r in data.get("ratios") or ()),
                   durations=tuple(int(d) for d in data.get("durations") or ()),
                   positions=tuple(str(p) for p in data.get("positions") or ("first",)),
                   prompt_max=int(data.get("prompt_max") or 1000),
                   required=tuple(str(r) for r in data.get("required") or ()),
                   credits_per_s=float(data.get("credits_per_s") or 0.0))

    def summary(self) -> str:
        """One line a person reads next to the form."""
        parts = []
        if self.durations:
            ds = sorted(self.durations)
            contiguous = ds == list(range(ds[0], ds[-1] + 1))
            parts.append(f"{ds[0]}–{ds[-1]} s" if contiguous and len(ds) > 2
                         else "/".join(str(d) for d in ds) + " s")
        else:
            parts.append("length of the plate")
        parts.append(f"{len(self.ratios)} ratios" if len(self.ratios) > 3 else ", ".join(self.ratios))
        if self.endpoint == "image_to_video":
            parts.append("first+last keyframes" if self.takes_last_keyframe else "first keyframe only")
        parts.append(f"prompt ≤ {self.prompt_max}" + (" (required)" if self.needs_prompt else ""))
        parts.append(f"{self.credits_per_s:g} credits/s")
        return " · ".join(parts)


@dataclass(frozen=True)
class ProfileInfo:
    name: str
    models: tuple[ModelLimits, ...]
    colorspaces: tuple[str, ...] = ()
    budget_credits: float | None = None
    spent_credits: float = 0.0
    budget_remaining: float | None = None
    credit_balance: float | None = None
    concurrency: int = 1

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ProfileInfo":
        def number(key: str) -> float | None:
            value = data.get(key)
            return None if value is None else float(value)

        return cls(name=str(data.get("name") or ""),
                   models=tuple(ModelLimits.from_dict(m) for m in data.get("models") or ()),
                   colorspaces=tuple(str(c) for c in data.get("colorspaces") or ()),
                   budget_credits=number("budget_credits"),
                   spent_credits=float(data.get("spent_credits") or 0.0),
                   budget_remaining=number("budget_remaining"),
                   credit_balance=number("credit_balance"),
                   concurrency=int(data.get("concurrency") or 1))

    def endpoints(self) -> list[str]:
        seen: list[str] = []
        for spec in self.models:
            if spec.endpoint not in seen:
                seen.append(spec.endpoint)
        return seen

    def models_for(self, endpoint: str) -> list[ModelLimits]:
        return [m for m in self.models if m.endpoint == endpoint]

    def limits(self, endpoint: str, model: str) -> ModelLimits | None:
        return next((m for m in self.models if m.endpoint == endpoint and m.model == model), None)
