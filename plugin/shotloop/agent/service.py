"""The agent's operations, independent of HTTP: what the API routes call."""
from __future__ import annotations

import logging
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

from .. import model
from ..errors import JobNotFound, PublishFailed, RecipeInvalid, ShotLoopError
from ..codec import from_data
from ..model import EditContext, Job, JobRequest, JobState, Recipe, ReviewStatus, Shot, Version
from ..store.names import safe_name
from .resources import Resources
from .runner import Runner

log = logging.getLogger(__name__)


class AgentService:
    def __init__(self, resources: Resources, runner: Runner) -> None:
        self.res = resources
        self.runner = runner
        self.ledger = resources.ledger

    # ------------------------------------------------------------------ jobs
    def submit(self, requests: list[Mapping[str, Any]]) -> list[dict]:
        """Add a batch; each element gets its job or its own coded error."""
        results: list[dict] = []
        for raw in requests:
            try:
                request = model.from_dict(JobRequest, raw)
                job = self._add(request)
                results.append({"job": model.to_dict(job)})
            except ShotLoopError as err:
                results.append({"error": err.to_dict()})
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                shot_data = raw.get("shot") if isinstance(raw, Mapping) else None
                shot = shot_data.get("name") if isinstance(shot_data, Mapping) else None
                err = RecipeInvalid(f"the request is malformed ({exc})", shot=shot, field="request",
                                    fix="send a shotloop.job_request/1 object")
                results.append({"error": err.to_dict()})
        self.runner.wake()
        return results

    def _add(self, request: JobRequest) -> Job:
        # Shot and label become folder and file names (work dir, version store): refuse
        # unsafe ones here, before any keyframe is written or any credit is spent.
        safe_name(request.shot.name, field="shot.name", shot=request.shot.name)
        safe_name(request.recipe.label, field="recipe.label", shot=request.shot.name)
        profile = self.res.profile_name(request.profile)
        root = request.store_root or str(self.res.default_root())
        job = Job(job_id=uuid.uuid4().hex, shot=request.shot, recipe=request.recipe,
                  edit=request.edit, profile=profile, store_root=root,
                  batch=request.batch or time.strftime("%Y%m%d-%H%M%S"))
        return self.ledger.add(job)

    def jobs(self, *, state: str | None = None, shot: str | None = None, batch: str | None = None) -> list[Job]:
        states = [JobState(s) for s in state.split(",")] if state else None
        return self.ledger.list(states=states, shot=shot, batch=batch)

    def job(self, job_id: str) -> Job:
        return self.ledger.get(job_id)

    def cancel(self, job_id: str) -> Job:
        return self.runner.cancel(job_id)

    def retry(self, job_id: str) -> Job:
        return self.runner.retry(job_id)

    # ------------------------------------------------------------------ versions
    def _root(self, root: str) -> str:
        return root or str(self.res.default_root())

    def versions(self, shot: str, label: str | None, root: str) -> list[Version]:
        return self.res.store(self._root(root)).versions(shot, label)

    def review(self, shot: str, label: str, number: int, status: str, note: str, root: str) -> Version:
        review = ReviewStatus(status)
        version = self.res.store(self._root(root)).set_review(shot, label, number, review, note)
        self.ledger.record_review(shot, label, number, review, note)
        return version

    def provenance(self, shot: str, label: str, number: int, root: str) -> dict:
        return self.res.store(self._root(root)).provenance(shot, label, number)

    def replay(self, shot: str, label: str, number: int, root: str) -> Job:
        """Submit the recipe of a published version again (same seed, same inputs)."""
        prov = self.provenance(shot, label, number, root)
        try:
            request = JobRequest(
                shot=from_data(Shot, prov["shot"]), recipe=from_data(Recipe, prov["recipe"]),
                edit=from_data(EditContext | None, prov.get("edit")), profile=str(prov.get("provider", "")),
                store_root=self._root(root), batch=f"replay-{prov.get('batch', '')}")
        except (KeyError, TypeError, ValueError) as exc:
            raise PublishFailed(f"its version.json cannot be replayed ({exc})", shot=shot,
                                field="version.json", fix="replay a version published by ShotLoop") from None
        job = self._add(request)
        self.runner.wake()
        return job

    # ------------------------------------------------------------------ profile / account
    def profile(self, name: str) -> dict:
        from ..providers.runway_models import MODELS

        profile = self.res.profile(name)
        models = []
        for spec in MODELS:
            if profile.models and spec.model not in profile.models:
                continue
            models.append(_spec_dict(spec, spec.model))
        for custom, base in (profile.custom_models or {}).items():
            for spec in MODELS:
                if spec.model == base:
                    models.append(_spec_dict(spec, custom))
        spent = sum(j.credits or j.estimated_credits for j in self.ledger.list()
                    if j.profile == profile.name and j.state is not JobState.CANCELLED)
        budget = profile.budget_credits
        info: dict[str, Any] = {
            "name": profile.name, "models": models, "colorspaces": self._colorspaces(),
            "budget_credits": budget, "spent_credits": spent,
            "budget_remaining": None if budget is None else max(0.0, budget - spent),
            "credit_balance": None, "concurrency": profile.concurrency,
        }
        try:
            info["credit_balance"] = self.res.provider(profile.name).account().credit_balance
        except ShotLoopError as err:
            log.warning("profile %s: cannot read the balance: %s", profile.name, err.message)
        return info

    def _colorspaces(self) -> list[str]:
        from ..media.colour import colorspace_names, resolve_config

        return colorspace_names(resolve_config(self.res.ocio_config))


def _spec_dict(spec: Any, name: str) -> dict:
    return {"endpoint": spec.endpoint, "model": name, "ratios": list(spec.ratios),
            "durations": list(spec.durations), "positions": list(spec.positions),
            "prompt_max": spec.prompt_max, "required": sorted(spec.required),
            "credits_per_s": spec.credits_per_s}
