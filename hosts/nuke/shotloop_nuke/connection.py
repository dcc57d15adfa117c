"""The session's one connection to the agent, and requests whose errors come back as values.

``LazyAgent`` connects (or starts the agent) inside the first request that needs it and
forgets the connection when the agent becomes unreachable, so the next request reconnects;
a connection problem therefore surfaces inside the request, where ``guarded`` turns every
ShotLoopError into a value the main thread receives like any other result.
"""
from __future__ import annotations

import threading
from typing import Any, Callable

from shotloop.client import AgentAPI
from shotloop.errors import AgentUnavailable, ShotLoopError


class LazyAgent:
    """Stands in for an ``AgentAPI``: same methods, connecting on first use (thread-safe)."""

    def __init__(self, connect: Callable[[], AgentAPI]) -> None:
        self._connect = connect
        self._api: AgentAPI | None = None
        self._lock = threading.Lock()

    def _current(self) -> AgentAPI:
        with self._lock:
            if self._api is None:
                self._api = self._connect()
            return self._api

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            api = self._current()
            try:
                return getattr(api, name)(*args, **kwargs)
            except AgentUnavailable:
                with self._lock:
                    if self._api is api:
                        self._api = None  # reconnect (the agent may be restarted) next time
                raise

        return call


def guarded(method: Callable[[Any], Any]) -> Callable[[Any], tuple[bool, Any]]:
    """``method(api)`` -> (True, result) or (False, the ShotLoopError it raised)."""

    def run(api: Any) -> tuple[bool, Any]:
        try:
            return True, method(api)
        except ShotLoopError as err:
            return False, err

    return run
