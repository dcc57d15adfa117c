"""The ASGI application: routes behind the guard, JSON for every error."""
from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse

from . import routes_api, routes_files, routes_mock
from .guard import MAX_BODY, Guard
from .state import ServiceState


async def _not_found(request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse({"error": "Not found"}, status_code=404)


async def _bad_method(request: Request, exc: Exception) -> JSONResponse:
    headers = getattr(exc, "headers", None) or {}
    return JSONResponse({"error": "Method not allowed"}, status_code=405, headers=headers)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "Internal server error"
    return JSONResponse({"error": detail}, status_code=status)


def build_app(state: ServiceState) -> Starlette:
    return Starlette(
        routes=[*routes_api.routes(state), *routes_files.routes(state), *routes_mock.routes(state)],
        middleware=[Middleware(Guard, state=state)],
        exception_handlers={404: _not_found, 405: _bad_method, HTTPException: _http_error},
        max_body_size=MAX_BODY,
    )
