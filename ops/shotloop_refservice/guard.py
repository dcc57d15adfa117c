"""The layer every request passes first: journal, injected faults, auth and version.

Order: record the request; apply a ``slow`` delay; answer with an injected status or
drop the connection; check ``Authorization`` and ``X-Runway-Version`` on /v1; run the
route. A create that succeeded may still be answered with a 5xx or a dropped connection
(``status_after_create`` / ``drop_after_create``): the task exists, the client can't
know. /_mock/* (inspection) bypasses all of this.
"""
from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shotloop.providers import runway_models

from . import multipart
from .connections import DropConnection
from .faults import FaultRule, FaultSpecInvalid
from .journal import Entry
from .state import ServiceState

MAX_BODY = runway_models.UPLOAD_MAX_BYTES + (1 << 20)  # an upload plus its form fields
CREATE_PATHS = frozenset({"/v1/image_to_video", "/v1/text_to_video", "/v1/video_to_video"})
ENTRY_KEY = "shotloop.entry"
_STATUS_TEXT = {429: "Too many requests. Slow down and retry later.", 500: "Internal server error",
                502: "Bad gateway", 503: "Service unavailable", 504: "Gateway timeout"}


class Guard:
    def __init__(self, app: ASGIApp, state: ServiceState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_mock/"):
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        raw = await _read_body(receive, MAX_BODY)
        if raw is None:
            await JSONResponse({"error": "Request body too large"}, status_code=413)(scope, receive, send)
            return
        parsed = _parse(headers.get("content-type", ""), raw)
        entry = self.state.journal.record(method, path, scope.get("query_string", b"").decode(),
                                          headers, raw, parsed)
        scope[ENTRY_KEY] = entry
        prompt = parsed.get("promptText", "") if isinstance(parsed, dict) else ""
        prompt = prompt if isinstance(prompt, str) else ""
        replay = _replay(raw, receive)
        faults = self.state.faults
        try:
            slow = faults.take("delay", method=method, path=path, prompt=prompt, key=entry.body_hash)
            if slow is not None:
                await asyncio.sleep(slow.seconds)
            early = faults.take("pre", method=method, path=path, prompt=prompt, key=entry.body_hash)
        except FaultSpecInvalid as exc:
            await self._answer(_error(400, f"Invalid fault marker: {exc}"), entry, scope, replay, send)
            return
        if early is not None:
            await self._answer(self._fault_response(early), entry, scope, replay, send,
                               outcome=f"fault:{early.kind}")
            return
        if path.startswith("/v1/"):
            refusal = self._refusal(headers)
            if refusal is not None:
                await self._answer(refusal, entry, scope, replay, send)
                return
        if method == "POST" and path in CREATE_PATHS:
            await self._create(scope, replay, send, entry, prompt)
            return

        async def tracking_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                # Journal first: a client may look at /_mock/requests the moment it has the answer.
                self.state.journal.finish(entry, message["status"])
            await send(message)

        await self.app(scope, replay, tracking_send)

    async def _create(self, scope: Scope, receive: Receive, send: Send, entry: Entry, prompt: str) -> None:
        """Run a create with its answer held back, so it can still be replaced by a fault."""
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        status = next((m["status"] for m in held if m["type"] == "http.response.start"), None)
        if status is not None and 200 <= status < 300:
            late = self.state.faults.take("post_create", method=scope["method"], path=scope["path"],
                                          prompt=prompt, key=entry.body_hash)
            if late is not None:
                self.state.creates.answered_with_fault()
                await self._answer(self._fault_response(late), entry, scope, receive, send,
                                   outcome=f"fault:{late.kind}")
                return
        self.state.journal.finish(entry, status)
        for message in held:
            await send(message)

    def _refusal(self, headers: dict[str, str]) -> Response | None:
        config = self.state.config
        if headers.get("authorization", "") != f"Bearer {config.api_key}":
            return _error(401, "Invalid API key. Check the key and send it as 'Authorization: Bearer <key>'.")
        if config.strict_version and headers.get("x-runway-version") not in config.api_versions:
            wanted = ", ".join(config.api_versions)
            got = headers.get("x-runway-version")
            problem = "is missing" if got is None else f"'{got}' is not a supported version"
            return _error(400, f"The X-Runway-Version header {problem}. Supported: {wanted}.")
        return None

    def _fault_response(self, rule: FaultRule) -> Response:
        if rule.kind.startswith("drop"):
            return DropConnection(self.state.connections)
        status = rule.status or 500
        response = _error(status, _STATUS_TEXT.get(status, "Injected fault"))
        if rule.retry_after is not None:
            seconds = rule.retry_after
            response.headers["Retry-After"] = str(int(seconds)) if seconds == int(seconds) else str(seconds)
        if rule.should_retry is not None:
            response.headers["x-should-retry"] = "true" if rule.should_retry else "false"
        return response

    async def _answer(self, response: Response, entry: Entry, scope: Scope, receive: Receive,
                      send: Send, outcome: str = "") -> None:
        dropped = isinstance(response, DropConnection)
        self.state.journal.finish(entry, None if dropped else response.status_code)
        if dropped or outcome:
            self.state.journal.mark(entry, "dropped" if dropped else outcome)
        await response(scope, receive, send)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole request body, or None when it is larger than ``limit``."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(raw: bytes, receive: Receive) -> Receive:
    """A receive that gives the already-read body once, then defers to the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": raw, "more_body": False}
        return await receive()

    return replay


def _parse(content_type: str, raw: bytes) -> Any:
    if not raw:
        return None
    if content_type.lower().startswith("multipart/"):
        return multipart.summary(content_type, raw)
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return {"raw": f"{len(raw)} bytes"}
