"""Routes without API auth: the storage target of uploads and the signed output URLs."""
from __future__ import annotations

import asyncio
import hashlib
import logging
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from . import multipart
from .connections import TruncatedResponse
from .guard import ENTRY_KEY
from .state import ServiceState

log = logging.getLogger(__name__)

STORAGE_PATH = "/_storage/upload"


def routes(state: ServiceState) -> list[Route]:
    async def storage_post(request: Request) -> Response:
        raw = await request.body()
        try:
            parts = multipart.parse(request.headers.get("content-type", ""), raw)
        except multipart.MultipartInvalid as exc:
            return JSONResponse({"error": f"MalformedPOSTRequest: {exc}"}, status_code=400)
        fields = {p.name: p.data.decode("utf-8", "replace") for p in parts if p.filename is None}
        files = [p for p in parts if p.name == "file" and p.filename is not None]
        entry = request.scope[ENTRY_KEY]
        fault = state.faults.take("upload", method="POST", path=request.url.path, key=entry.body_hash)
        if fault is not None:
            state.uploads.burn(fields)
            return JSONResponse({"error": "InternalError: the storage backend failed"}, status_code=500)
        if not files:
            return JSONResponse({"error": "MalformedPOSTRequest: no file part"}, status_code=400)
        outcome = await run_in_threadpool(state.uploads.store, fields, files[0].data)
        if outcome.status != 204:
            return JSONResponse({"error": outcome.error}, status_code=outcome.status)
        return Response(status_code=204)

    async def output(request: Request) -> Response:
        name = request.path_params["name"]
        task_id = name[:-4] if name.endswith(".mp4") else ""
        checked = state.signer.verify(request.query_params.get("_jwt", ""))
        if checked.expired:
            return JSONResponse({"error": "Request has expired"}, status_code=403)
        if not checked.ok or checked.claims.get("tid") != task_id:
            return JSONResponse({"error": "Access denied"}, status_code=403)
        task = state.tasks.get(task_id)
        if task is None or task.status != "SUCCEEDED":
            return JSONResponse({"error": "Not found"}, status_code=404)
        fault = state.faults.take("output", method=request.method, path=request.url.path,
                                  prompt=task.prompt, key=task.id)
        if fault is not None and fault.kind == "output_expired":
            return JSONResponse({"error": "Request has expired"}, status_code=403)
        if fault is not None and fault.kind == "output_404":
            return JSONResponse({"error": "Not found"}, status_code=404)
        try:
            path = await asyncio.wrap_future(state.outputs.ensure(task.render))
        except Exception:  # a render failure must become an answer, whatever raised it
            log.exception("render of task %s failed", task.id)
            return JSONResponse({"error": "The output could not be produced"}, status_code=500)
        if fault is None:
            return FileResponse(path, media_type="video/mp4")
        if fault.kind == "output_truncated":
            state.journal.mark(request.scope[ENTRY_KEY], "truncated")
        return await run_in_threadpool(_faulty_output, state, fault.kind, path)

    return [
        Route(STORAGE_PATH, storage_post, methods=["POST"]),
        Route("/_out/{name}", output, methods=["GET"]),
    ]


def _faulty_output(state: ServiceState, kind: str, path: Path) -> Response:
    data = path.read_bytes()
    if kind == "output_wrong_type":
        page = b"<!doctype html><html><body><h1>Access denied</h1></body></html>"
        return Response(page, status_code=200, media_type="text/html; charset=utf-8")
    if kind == "output_corrupt":
        return Response(_garbage(len(data), data[:64]), status_code=200, media_type="video/mp4")
    return TruncatedResponse(state.connections, data[: len(data) // 2], len(data), "video/mp4")


def _garbage(size: int, seed: bytes) -> bytes:
    """``size`` deterministic bytes that are not a movie."""
    blocks, block = [], hashlib.sha256(seed).digest()
    while len(blocks) * len(block) < size:
        block = hashlib.sha256(block).digest()
        blocks.append(block)
    return b"".join(blocks)[:size]
