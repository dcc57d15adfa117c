"""Runway's developer API as a ShotLoop provider (requests only, no SDK at runtime).

Follows the careful-client rules of the shared reference (section 7): validate locally
before any credit is spent; never repeat a create (an ambiguous outcome raises
``CreateOutcomeUnknown``); retry only safe calls, honouring ``Retry-After``; poll at 5 s
or slower with jitter (a profile may poll faster only on loopback); treat THROTTLED as
queued and a 404 on a task we did not delete as lost; download without Authorization,
with a size cap and a checksum.

The same class talks to ShotLoop's reference service and to a studio's own model behind
the same contract (``Profile.custom_models`` maps its ids onto a catalogue model's limits).
"""
from __future__ import annotations

import logging
import math
import random
import time
from pathlib import Path
from typing import Any, Callable, Mapping

import requests

from ..errors import (CreateOutcomeUnknown, ProviderError, ProviderUnavailable, RecipeInvalid,
                      SettingsInvalid, TaskLost)
from ..model import Endpoint, KeyframeMode, Recipe
from ..secrets import get_key, parse_key_spec
from ..settings import Profile
from . import runway_models as rm
from .base import Account, Capabilities, Download, ModelLimits, Submission, TaskStatus
from .download import fetch_output
from .http import RetryPolicy, is_loopback_url
from .runway_api import RunwayApi, error_for, task_path
from .runway_tasks import task_status
from .runway_upload import to_uri
from .validate import check_inputs, check_recipe, check_uri, required_inputs

log = logging.getLogger(__name__)

__all__ = ["RunwayProvider", "OUTPUT_SURCHARGE_PER_S"]

# Extra credits per second for richer output formats (reference section 2.3, note 1).
OUTPUT_SURCHARGE_PER_S: Mapping[str, float] = {
    "prores": 5, "png_sequence": 5,
    "hdr10": 20, "hlg": 20, "sdr_rec709_10bit": 20, "hdr_pq_12bit_master": 20,
    "hdr_prores": 20, "hdr_png_sequence": 20, "hdr_exr_sequence": 20,
    "hdr_exr_acescg_sequence_1_3": 20, "hdr_exr_acescg_sequence_2_0": 20,
}


CONTEXT_FIELD = "shotloopContext"


class RunwayProvider:
    """``Provider`` for Runway's API. One instance per profile; safe to reuse."""

    name = "runway"
    capabilities = Capabilities(cancel=True, video_to_video=True, text_to_video=True,
                                uploads=True, idempotent_submit=False)

    def __init__(self, profile: Profile, *, rng: random.Random | None = None,
                 sleep: Callable[[float], None] | None = None) -> None:
        if profile.embedded:
            raise SettingsInvalid(
                f"profile '{profile.name}' points at the embedded reference service, which "
                f"has no address until it is started", field=f"profiles.{profile.name}.base_url",
                fix="start the reference service and pass a copy of the profile with its URL "
                    "(the agent does this)")
        self.profile = profile
        self._rng = rng or random.Random()
        self._loopback = is_loopback_url(profile.base_url)
        base_s = profile.retry_base_s if self._loopback else max(1.0, profile.retry_base_s)
        self._policy = RetryPolicy(max_attempts=profile.retry_attempts, base_s=base_s)
        self._timeout = (min(5.0, profile.timeout_s), profile.timeout_s)
        try:
            key_spec = parse_key_spec(profile.key)
        except ValueError as exc:
            raise SettingsInvalid(str(exc), field=f"profiles.{profile.name}.key",
                                  fix="say where the key lives, e.g. env:RUNWAYML_API_SECRET") \
                from None
        key = None if key_spec.kind == "none" else get_key(key_spec, profile=profile.name)
        self._api = RunwayApi(profile.base_url, key, policy=self._policy, timeout=self._timeout,
                              rng=self._rng, sleep=sleep or time.sleep,
                              trust_env=not self._loopback, key_spec=str(key_spec))
        # Uploads and downloads never carry the API key: plain sessions of their own.
        self._plain = requests.Session()
        self._plain.trust_env = not self._loopback
        self._deleted: set[str] = set()

    def close(self) -> None:
        self._api.close()
        self._plain.close()

    # ----------------------------------------------------------------- limits

    def _spec(self, endpoint: str, model: str, shot: str = "") -> rm.ModelSpec:
        try:
            endpoint = Endpoint(endpoint).value
        except ValueError:
            raise RecipeInvalid(f"{endpoint!r} is not an endpoint", shot=shot,
                                field="recipe.endpoint",
                                fix=f"use one of {[e.value for e in Endpoint]}") from None
        enabled = self.profile.models
        if enabled and model not in enabled:
            raise RecipeInvalid(f"{model!r} is not enabled in profile '{self.profile.name}'",
                                shot=shot, field="recipe.model",
                                fix=f"choose one of {list(enabled)} or add it to the "
                                    f"profile's models")
        base = self.profile.custom_models.get(model, model)
        spec = rm.find(endpoint, base)
        if spec is None:
            offered = list(rm.models_for(endpoint)) + [
                m for m, b in self.profile.custom_models.items() if rm.find(endpoint, b)]
            raise RecipeInvalid(f"{model!r} is not offered on {endpoint}", shot=shot,
                                field="recipe.model", fix=f"choose one of {offered}")
        return spec

    def limits(self, endpoint: str, model: str) -> ModelLimits:
        spec = self._spec(endpoint, model)
        return ModelLimits(endpoint=spec.endpoint, model=model, ratios=spec.ratios,
                           durations=spec.durations, positions=spec.positions,
                           prompt_max=spec.prompt_max, required=spec.required,
                           fields=spec.fields, credits_per_s=spec.credits_per_s)

    def _limits(self, recipe: Recipe, shot: str) -> tuple[rm.ModelSpec, ModelLimits]:
        spec = self._spec(recipe.endpoint, recipe.model, shot)
        return spec, self.limits(recipe.endpoint, recipe.model)

    # ----------------------------------------------------------------- checks and cost

    def validate(self, recipe: Recipe, inputs: Mapping[str, Path], *, shot: str) -> None:
        _, limits = self._limits(recipe, shot)
        check_recipe(recipe, limits, shot=shot)
        check_inputs(recipe, inputs, shot=shot)

    def estimate(self, recipe: Recipe) -> float:
        """Credits the task may cost at most: rate x seconds, plus output-format surcharges.

        For models whose length follows the input clip the recipe's duration stands in
        for the clip length. ``submit`` returns the service's own estimate.
        """
        spec = self._spec(recipe.endpoint, recipe.model)
        per_s = spec.credits_per_s
        out_format = recipe.provider_options.get("outputFormat")
        if isinstance(out_format, str):
            per_s += OUTPUT_SURCHARGE_PER_S.get(out_format, 0)
        return float(per_s * max(0, int(recipe.duration)))

    def build_request(self, recipe: Recipe, uris: Mapping[str, str], *, shot: str = "",
                      context: Mapping[str, Any] | None = None) -> dict:
        """The JSON body for ``recipe`` with its inputs at ``uris`` (pure: no I/O).

        ``context`` (the shot's edit context and OTIO snippet) is sent as the extension field
        ``shotloopContext`` only to services whose profile says they accept it."""
        spec, limits = self._limits(recipe, shot)
        check_recipe(recipe, limits, shot=shot)
        for key in required_inputs(recipe):
            if key not in uris:
                raise RecipeInvalid("is missing", shot=shot, field=f"inputs.{key}",
                                    fix=f"provide the {key} input")
            check_uri(uris[key], kind="video" if key == "video" else "image",
                      field=f"inputs.{key}", shot=shot)
        body: dict[str, Any] = {"model": recipe.model}
        endpoint = Endpoint(recipe.endpoint)
        if endpoint is Endpoint.IMAGE_TO_VIDEO:
            if KeyframeMode(recipe.keyframes) is KeyframeMode.FIRST_LAST:
                body["promptImage"] = [{"uri": uris["first"], "position": "first"},
                                       {"uri": uris["last"], "position": "last"}]
            else:
                body["promptImage"] = uris["first"]
        elif endpoint is Endpoint.VIDEO_TO_VIDEO:
            body[spec.video_field or "videoUri"] = uris["video"]
        if recipe.prompt.strip():
            body["promptText"] = recipe.prompt
        if "ratio" in spec.fields and recipe.ratio:
            body["ratio"] = recipe.ratio
        if "duration" in spec.fields and spec.durations:
            body["duration"] = int(recipe.duration)
        if "seed" in spec.fields:
            body["seed"] = int(recipe.seed)  # always sent, so a take can be replayed
        body.update(recipe.provider_options)
        if context and self.profile.edit_context:
            body[CONTEXT_FIELD] = dict(context)
        return body

    # ----------------------------------------------------------------- network

    def upload(self, path: Path, *, shot: str = "", field: str = "inputs") -> str:
        """A data URI for small files (under ``inline_max_mb``), else a runway:// URI."""
        return to_uri(self._api, self._plain, Path(path), shot=shot, field=field,
                      inline_max_bytes=int(self.profile.inline_max_mb * 1024 * 1024))

    def submit(self, recipe: Recipe, inputs: Mapping[str, Path], *, shot: str,
               before_send: Callable[[Mapping[str, Any]], None] | None = None) -> Submission:
        """Validate, send the inputs, create the task once.

        ``before_send`` gets the exact body right before the create request, so a caller
        can commit it to its ledger first. Raises CreateOutcomeUnknown when a task may or
        may not exist; never resends.
        """
        self.validate(recipe, inputs, shot=shot)
        uris = {key: self.upload(Path(inputs[key]), shot=shot, field=f"inputs.{key}")
                for key in required_inputs(recipe)}
        body = self.build_request(recipe, uris, shot=shot)
        if before_send is not None:
            before_send(body)
        return self.create(recipe, body, shot=shot)

    def create(self, recipe: Recipe, body: Mapping[str, Any], *, shot: str) -> Submission:
        """POST a body made by ``build_request`` exactly once (the agent commits the body
        to its ledger between the two). Raises CreateOutcomeUnknown when a task may or
        may not exist; never resends."""
        endpoint = Endpoint(recipe.endpoint).value
        data = self._api.create(f"/v1/{endpoint}", body, what=f"creating the {endpoint} task",
                                shot=shot)
        estimated = self.estimate(recipe)
        cost = data.get("estimatedCost")
        if isinstance(cost, Mapping) and isinstance(cost.get("credits"), (int, float)):
            estimated = float(cost["credits"])
        task_id = str(data["id"])
        try:
            task_path(task_id)
        except ProviderError:
            raise CreateOutcomeUnknown("the service answered with an unusable task id",
                                       shot=shot, field="job.remote_task_id", fix="check the service's dashboard for the "
                                                      "task before sending again") from None
        log.info("%s: created task %s (%s, %s)", shot, task_id, endpoint, recipe.model)
        return Submission(task_id=task_id, body=dict(body), estimated_credits=estimated)

    def poll(self, task_id: str) -> TaskStatus:
        path = task_path(task_id)
        response = self._api.send("GET", path, what="reading the task")
        with response:
            if response.status_code == 404:
                if task_id in self._deleted:
                    return TaskStatus(state="cancelled", remote_status="DELETED")
                return TaskStatus(
                    state="lost", remote_status="NOT_FOUND",
                    failure="The service no longer knows this task (it was deleted or "
                            "expired outside ShotLoop). Send the shot again if you still "
                            "need it.")
            if response.status_code != 200:
                raise error_for(response, what="reading the task", key_spec=self._api.key_spec)
            try:
                data = response.json()
            except (ValueError, RecursionError):
                data = None
        if not isinstance(data, Mapping):
            raise ProviderUnavailable("reading the task: the answer is not a JSON object",
                                      status=response.status_code, field="task",
                                      fix="try again later")
        return task_status(data)

    def poll_interval(self, elapsed_s: float) -> float:
        """Seconds until the next poll: 5-8 s in the first minute, 10-20 s later.

        A profile's ``poll_interval_s`` (0-50 % jitter added) applies only on loopback.
        """
        own = self.profile.poll_interval_s
        if own is not None:
            if self._loopback:
                return own * (1.0 + self._rng.uniform(0.0, 0.5))
            log.warning("ignoring poll_interval_s for non-loopback %s", self.profile.base_url)
        if elapsed_s < 60.0:
            return self._rng.uniform(5.0, 8.0)
        return self._rng.uniform(10.0, 20.0)

    def cancel(self, task_id: str) -> None:
        """DELETE the task. 204, or a 404 after our own DELETE, means done."""
        path = task_path(task_id)
        earlier = task_id in self._deleted
        self._deleted.add(task_id)
        attempts = [0]
        response = self._api.send("DELETE", path, what="cancelling the task", counter=attempts)
        with response:
            status = response.status_code
            if 200 <= status < 300:
                return
            if status == 404:
                if earlier or attempts[0] > 1:
                    return
                raise TaskLost("the service does not know this task (HTTP 404)",
                               status=404, field="remote_task_id",
                               fix="nothing to cancel; the task is gone")
            raise error_for(response, what="cancelling the task", key_spec=self._api.key_spec)

    def fetch(self, url: str, dest: Path, *, max_bytes: int | None = None) -> Download:
        cap = self.profile.max_download_bytes if max_bytes is None else max_bytes
        return fetch_output(self._plain, url, Path(dest), max_bytes=cap, policy=self._policy,
                            rng=self._rng, sleep=self._api.sleep, timeout=self._timeout)

    def account(self) -> Account:
        data = self._api.json("GET", "/v1/organization", what="reading the account")
        tier = data.get("tier") if isinstance(data, Mapping) else None
        models = tier.get("models") if isinstance(tier, Mapping) else None
        limits: dict[str, int | None] = {}
        if isinstance(models, Mapping):
            for model, info in models.items():
                value = info.get("maxConcurrentGenerations") if isinstance(info, Mapping) else None
                limits[str(model)] = int(value) if _finite(value) else None
        balance = data.get("creditBalance", 0) if isinstance(data, Mapping) else 0
        # A service that answers nonsense (text, NaN, Infinity) has no balance we can trust.
        return Account(credit_balance=float(balance) if _finite(balance) else 0.0,
                       max_concurrent=limits)


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
