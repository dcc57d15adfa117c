"""The agent's HTTP API (JSON on loopback, every request needs the token header)."""
from __future__ import annotations

import hmac
import json
import logging
from typing import Any, Awaitable, Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from .. import __version__, model
from ..client import TOKEN_HEADER
from ..errors import AgentRefused, ShotLoopError
from .service import AgentService

log = logging.getLogger(__name__)

MAX_EVENT_WAIT_S = 30.0

_STATUS = {"job_not_found": 404, "agent_refused": 400, "recipe_invalid": 400,
           "plate_invalid": 400, "publish_failed": 409, "settings_invalid": 400}


def _error(err: ShotLoopError) -> JSONResponse:
    return JSONResponse({"error": err.to_dict()}, status_code=_STATUS.get(err.code, 400))


def create_app(service: AgentService, token: str, *, on_shutdown: Callable[[], None] | None = None) -> Starlette:
    def route(fn: Callable[[Request], Any]) -> Callable[[Request], Awaitable[JSONResponse]]:
        """Run a blocking handler in the thread pool; map ShotLoop errors to JSON."""

        async def endpoint(request: Request) -> JSONResponse:
            given = request.headers.get(TOKEN_HEADER, "")
            if not hmac.compare_digest(given.encode(), token.encode()):
                err = AgentRefused("the request has no valid agent token",
                                   fix="use shotloop.client.AgentAPI.connect(), which reads the token file")
                return JSONResponse({"error": err.to_dict()}, status_code=401)
            body = None
            if request.method == "POST":
                raw = await request.body()
                if raw:
                    try:
                        body = json.loads(raw)
                    except ValueError:
                        return _error(AgentRefused("the request body is not JSON"))
            try:
                return JSONResponse(await run_in_threadpool(fn, request, body))
            except ShotLoopError as err:
                return _error(err)
            except (ValueError, KeyError, TypeError) as exc:
                return _error(AgentRefused(f"bad request: {exc}", fix="check the parameters"))

        return endpoint

    def q(request: Request, name: str, default: str = "") -> str:
        return request.query_params.get(name, default)

    def health(request, body):
        return {"agent": "shotloop", "version": __version__}

    def submit(request, body):
        jobs_ = body.get("jobs") if isinstance(body, dict) else None
        if not isinstance(jobs_, list):
            raise AgentRefused("the body must be a JSON object with a list of jobs",
                               field="jobs", fix='send {"jobs": [<shotloop.job_request/1>, ...]}')
        return {"results": service.submit(jobs_)}

    def jobs(request, body):
        found = service.jobs(state=q(request, "state") or None, shot=q(request, "shot") or None,
                             batch=q(request, "batch") or None)
        return {"jobs": [model.to_dict(j) for j in found]}

    def job(request, body):
        return {"job": model.to_dict(service.job(request.path_params["job_id"]))}

    def cancel(request, body):
        return {"job": model.to_dict(service.cancel(request.path_params["job_id"]))}

    def retry(request, body):
        return {"job": model.to_dict(service.retry(request.path_params["job_id"]))}

    def versions(request, body):
        found = service.versions(q(request, "shot"), q(request, "label") or None, q(request, "root"))
        return {"versions": [model.to_dict(v) for v in found]}

    def review(request, body):
        version = service.review(body["shot"], body["label"], int(body["number"]), body["status"],
                                 body.get("note", ""), body.get("root", ""))
        return {"version": model.to_dict(version)}

    def replay(request, body):
        job_ = service.replay(body["shot"], body["label"], int(body["number"]), body.get("root", ""))
        return {"job": model.to_dict(job_)}

    def provenance(request, body):
        return {"provenance": service.provenance(q(request, "shot"), q(request, "label"),
                                                 int(q(request, "number", "0")), q(request, "root"))}

    def profile(request, body):
        return service.profile(q(request, "name"))

    def events(request, body):
        since = int(q(request, "since", "0"))
        if since < 0:
            return {"events": [], "last": service.ledger.last_seq()}
        wait = min(float(q(request, "timeout", "20")), MAX_EVENT_WAIT_S)
        found = service.ledger.wait_events(since, timeout=wait)
        last = found[-1].seq if found else max(since, 0)
        return {"events": [{"seq": e.seq, "time": e.time, "kind": e.kind, "job_id": e.job_id,
                            "payload": dict(e.payload)} for e in found], "last": last}

    def shutdown(request, body):
        if on_shutdown is not None:
            on_shutdown()
        return {"stopping": True}

    routes = [
        Route("/v1/health", route(health), methods=["GET"]),
        Route("/v1/jobs", route(submit), methods=["POST"]),
        Route("/v1/jobs", route(jobs), methods=["GET"]),
        Route("/v1/jobs/{job_id}", route(job), methods=["GET"]),
        Route("/v1/jobs/{job_id}/cancel", route(cancel), methods=["POST"]),
        Route("/v1/jobs/{job_id}/retry", route(retry), methods=["POST"]),
        Route("/v1/versions", route(versions), methods=["GET"]),
        Route("/v1/versions/review", route(review), methods=["POST"]),
        Route("/v1/versions/replay", route(replay), methods=["POST"]),
        Route("/v1/versions/provenance", route(provenance), methods=["GET"]),
        Route("/v1/profile", route(profile), methods=["GET"]),
        Route("/v1/events", route(events), methods=["GET"]),
        Route("/v1/shutdown", route(shutdown), methods=["POST"]),
    ]
    return Starlette(routes=routes)
