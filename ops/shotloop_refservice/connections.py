"""Connection-level faults: dropping a connection, or cutting a body short.

ASGI gives an application no handle on its socket, so the service runs uvicorn's h11
protocol with a small subclass that records each connection's transport by peer
address. A response object can then close the connection itself, before or halfway
through an answer, the way a crashed proxy or a reset does.
"""
from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

DISCONNECT_WAIT_S = 2.0


class ConnectionRegistry:
    """Peer address -> transport, for the connections currently open (event loop only)."""

    def __init__(self) -> None:
        self._transports: dict[tuple[str, int], asyncio.BaseTransport] = {}

    def add(self, peer: tuple[str, int], transport: asyncio.BaseTransport) -> None:
        self._transports[peer] = transport

    def discard(self, peer: tuple[str, int], transport: asyncio.BaseTransport) -> None:
        if self._transports.get(peer) is transport:
            del self._transports[peer]

    def close(self, scope: Scope) -> bool:
        client = scope.get("client")
        transport = self._transports.get(tuple(client)) if client else None
        if transport is None:
            return False
        transport.close()
        return True


def protocol_class(registry: ConnectionRegistry) -> type[H11Protocol]:
    """An h11 protocol class that reports its transport to ``registry``."""

    class TrackedH11Protocol(H11Protocol):
        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            if self.client:
                registry.add(self.client, transport)

        def connection_lost(self, exc: Exception | None) -> None:
            if self.client:
                registry.discard(self.client, self.transport)
            super().connection_lost(exc)

    return TrackedH11Protocol


async def _until_disconnected(receive: Receive) -> None:
    async def wait() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    try:
        await asyncio.wait_for(wait(), DISCONNECT_WAIT_S)
    except asyncio.TimeoutError:
        pass


class DropConnection(Response):
    """Close the connection without sending anything."""

    def __init__(self, registry: ConnectionRegistry) -> None:
        super().__init__(status_code=599)
        self._registry = registry

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._registry.close(scope):
            await _until_disconnected(receive)


class TruncatedResponse(Response):
    """Announce ``content_length`` bytes, send fewer, then close the connection."""

    def __init__(self, registry: ConnectionRegistry, body: bytes, content_length: int,
                 media_type: str) -> None:
        super().__init__(status_code=200, media_type=media_type)
        self._registry = registry
        self._partial = body
        self._length = content_length

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-type", self.media_type.encode()),
                   (b"content-length", str(self._length).encode())]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": self._partial, "more_body": True})
        if self._registry.close(scope):
            await _until_disconnected(receive)
