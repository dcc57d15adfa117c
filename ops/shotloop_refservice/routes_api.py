"""The /v1 routes: generation creates, tasks, uploads and organization."""
from __future__ import annotations

import datetime as dt
import json
import secrets
from fractions import Fraction
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import account as accounting
from . import validate
from .faults import strip_markers
from .guard import ENTRY_KEY
from .render import RenderSpec, Source
from .state import ServiceState
from .tasks import TaskFaults, TaskView

DOC_URL = "https://docs.dev.runwayml.com/api"
NOT_FOUND = {"error": "Could not find Task"}


def error(status: int, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse(dict({"error": message}, **extra), status_code=status)


def invalid(issues: list[dict[str, Any]]) -> JSONResponse:
    return JSONResponse({"error": "Validation of body failed", "issues": issues, "docUrl": DOC_URL},
                        status_code=400)


def iso_ms(timestamp: float) -> str:
    moment = dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def base_url(request: Request) -> str:
    host = request.headers.get("host") or f"{request.url.hostname}:{request.url.port}"
    return f"{request.url.scheme}://{host}"


async def _json_body(request: Request) -> tuple[Any, JSONResponse | None]:
    raw = await request.body()
    try:
        return json.loads(raw or b"null"), None
    except ValueError:
        return None, invalid([validate.issue("invalid_type", [], "Body is not valid JSON",
                                             expected="object", received="invalid")])


def routes(state: ServiceState) -> list[Route]:
    config = state.config

    def create_route(endpoint: str) -> Route:
        async def create(request: Request) -> Response:
            body, bad = await _json_body(request)
            if bad is not None:
                return bad
            checked, issues = await run_in_threadpool(
                validate.check, endpoint, body, state.assets, config.custom_models)
            if checked is None:
                return invalid(issues)
            entry = request.scope[ENTRY_KEY]
            fired = state.faults.take_all("task", method="POST", path=request.url.path,
                                          prompt=checked.prompt, key=entry.body_hash)
            faults = TaskFaults(
                hold_s=max((r.seconds for r in fired if r.kind == "throttle"), default=0.0),
                failure_code=next((r.failure_code for r in fired if r.kind == "fail"), ""),
                failure=next((r.failure_text() for r in fired if r.kind == "fail"), ""),
            )
            spec, seconds = _render_spec(state, checked)
            estimate = accounting.estimate_credits(checked.spec.credits_per_s, seconds)
            refused = state.account.admit(checked.model, estimate)
            if refused == "daily_limit":
                return error(429, f"You have reached the daily generation limit for {checked.model}.")
            if refused == "credits":
                return error(400, "You do not have enough credits to run this task.")
            task = state.tasks.create(checked.model, estimate, checked.prompt, spec, faults)
            state.creates.record(request.url.path, entry.body_hash)
            return JSONResponse({"id": task.id, "estimatedCost": {"credits": estimate}})

        return Route(f"/v1/{endpoint}", create, methods=["POST"])

    async def get_task(request: Request) -> Response:
        task = state.tasks.get(request.path_params["task_id"])
        if task is None:
            return JSONResponse(NOT_FOUND, status_code=404)
        return JSONResponse(_task_json(state, task, base_url(request)))

    async def delete_task(request: Request) -> Response:
        if not state.tasks.delete(request.path_params["task_id"]):
            return JSONResponse(NOT_FOUND, status_code=404)
        return Response(status_code=204)

    async def create_upload(request: Request) -> Response:
        body, bad = await _json_body(request)
        if bad is not None:
            return bad
        issues = _upload_issues(body)
        if issues:
            return invalid(issues)
        return JSONResponse(state.uploads.open_slot(body["filename"], f"{base_url(request)}/_storage/upload"))

    async def organization(request: Request) -> Response:
        models = state.all_models()
        used = state.account.daily_generations()
        return JSONResponse({
            "creditBalance": state.account.balance,
            "tier": {
                "maxMonthlyCreditSpend": config.max_monthly_credit_spend,
                "models": accounting.limits(models, config.concurrency, config.daily_limit),
            },
            "usage": {"models": {m: {"dailyGenerations": n} for m, n in sorted(used.items())}},
        })

    async def usage(request: Request) -> Response:
        body, bad = await _json_body(request)
        if bad is not None:
            return bad
        span, issues = _usage_span(body if body is not None else {})
        if issues:
            return invalid(issues)
        return JSONResponse(state.account.usage(*span))

    return [
        create_route("image_to_video"),
        create_route("text_to_video"),
        create_route("video_to_video"),
        Route("/v1/tasks/{task_id}", get_task, methods=["GET"]),
        Route("/v1/tasks/{task_id}", delete_task, methods=["DELETE"]),
        Route("/v1/uploads", create_upload, methods=["POST"]),
        Route("/v1/organization", organization, methods=["GET"]),
        Route("/v1/organization/usage", usage, methods=["POST"]),
    ]


def _render_spec(state: ServiceState, checked: validate.Checked) -> tuple[RenderSpec, float]:
    """What to render for a valid request, and how many seconds it bills."""
    config = state.config
    seed = checked.seed if checked.seed is not None else secrets.randbelow(2**32)
    common = dict(seed=seed, prompt=strip_markers(checked.prompt), preset=config.x264_preset,
                  crf=config.x264_crf, threads=config.render_threads)

    def source(role: str) -> Source | None:
        asset = checked.assets.get(role)
        return Source(asset.path, asset.digest) if asset else None

    if checked.endpoint == "video_to_video":
        video = checked.assets["video"]
        width, height = _ratio_size(checked.ratio) if checked.ratio else (
            _even(video.probe.width, 2), _even(video.probe.height, 4))
        spec = RenderSpec("video_to_video", width, height, video.probe.frames, video.probe.fps,
                          video=source("video"), **common)
        return spec, video.probe.duration_s
    width, height = _ratio_size(checked.ratio)
    frames = checked.duration * config.fps
    spec = RenderSpec(checked.endpoint, width, height, frames, Fraction(config.fps),
                      first=source("first"), last=source("last"), **common)
    return spec, float(checked.duration)


def _ratio_size(ratio: str) -> tuple[int, int]:
    width, height = (int(part) for part in ratio.split(":"))
    return _even(width, 2), _even(height, 4)


def _even(value: int, multiple: int) -> int:
    return max(multiple, value - value % multiple)


def _task_json(state: ServiceState, task: TaskView, base: str) -> dict[str, Any]:
    data: dict[str, Any] = {"id": task.id, "status": task.status, "createdAt": iso_ms(task.created_wall)}
    if task.status in ("PENDING", "THROTTLED", "RUNNING"):
        data["estimatedCost"] = {"credits": task.estimate}
    if task.status == "RUNNING":
        data["progress"] = task.progress
    if task.cost is not None:
        data["cost"] = {"credits": int(task.cost)}
    if task.status == "FAILED":
        data["failure"] = task.failure
        data["failureCode"] = task.failure_code
    if task.status == "SUCCEEDED":
        state.outputs.ensure(task.render)
        token = state.signer.sign({"tid": task.id}, state.config.output_ttl_s)
        data["output"] = [f"{base}/_out/{task.id}.mp4?_jwt={token}"]
    return data


def _upload_issues(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict):
        return [validate.issue("invalid_type", [], "Expected object", expected="object")]
    issues = [validate.issue("unrecognized_keys", [k], f"Unrecognized key(s) in object: '{k}'", keys=[k])
              for k in sorted(set(body) - {"filename", "type"})]
    name = body.get("filename")
    if not isinstance(name, str) or not name.strip():
        issues.append(validate.issue("invalid_type", ["filename"], "Required", expected="string"))
    if body.get("type") != "ephemeral":
        issues.append(validate.issue("invalid_literal", ["type"], "Invalid literal value, expected \"ephemeral\"",
                                     expected="ephemeral"))
    return issues


def _usage_span(body: Any) -> tuple[tuple[dt.date, dt.date], list[dict[str, Any]]]:
    today = dt.datetime.now(dt.timezone.utc).date()
    if not isinstance(body, dict):
        return (today, today), [validate.issue("invalid_type", [], "Expected object", expected="object")]
    extra = sorted(set(body) - {"startDate", "beforeDate"})
    if extra:
        return (today, today), [validate.issue("unrecognized_keys", [k], f"Unrecognized key '{k}'")
                                for k in extra]
    try:
        # Default window: the last 30 days, today included.
        start = dt.date.fromisoformat(body["startDate"]) if "startDate" in body else today - dt.timedelta(days=29)
        before = (dt.date.fromisoformat(body["beforeDate"]) if "beforeDate" in body
                  else start + dt.timedelta(days=30))
    except (TypeError, ValueError):
        return (today, today), [validate.issue("invalid_string", [], "Dates must be YYYY-MM-DD")]
    if not 0 < (before - start).days <= 90:
        return (start, before), [validate.issue("custom", ["beforeDate"],
                                                "beforeDate must be after startDate, at most 90 days")]
    return (start, before), []

