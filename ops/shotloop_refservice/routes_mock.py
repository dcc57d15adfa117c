"""Inspection and control outside /v1: requests seen, counters, reset, fault rules."""
from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .faults import FaultSpecInvalid, rule_from_dict
from .state import ServiceState


def routes(state: ServiceState) -> list[Route]:
    async def requests(request: Request) -> Response:
        query = request.query_params
        found = state.journal.entries(path=query.get("path"), method=query.get("method"))
        return JSONResponse({"count": len(found), "requests": found})

    async def stats(request: Request) -> Response:
        return JSONResponse(state.stats())

    async def reset(request: Request) -> Response:
        state.reset()
        return Response(status_code=204)

    async def list_faults(request: Request) -> Response:
        return JSONResponse({"rules": state.faults.rules()})

    async def add_faults(request: Request) -> Response:
        try:
            body = json.loads(await request.body())
            items = body if isinstance(body, list) else [body]
            rules = [rule_from_dict(item) for item in items if isinstance(item, dict)]
            if len(rules) != len(items):
                raise FaultSpecInvalid("each rule must be a JSON object")
        except (ValueError, FaultSpecInvalid) as exc:
            return JSONResponse({"error": f"Invalid fault rule: {exc}"}, status_code=400)
        return JSONResponse({"ids": [state.faults.add(rule) for rule in rules]})

    async def clear_faults(request: Request) -> Response:
        state.faults.clear()
        return Response(status_code=204)

    return [
        Route("/_mock/requests", requests, methods=["GET"]),
        Route("/_mock/stats", stats, methods=["GET"]),
        Route("/_mock/reset", reset, methods=["POST"]),
        Route("/_mock/faults", list_faults, methods=["GET"]),
        Route("/_mock/faults", add_faults, methods=["POST"]),
        Route("/_mock/faults", clear_faults, methods=["DELETE"]),
    ]
