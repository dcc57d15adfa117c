"""The panel's handle on the agent: connects on first use and again after it was lost.

``AgentClient`` runs every call as ``method(connect())``. The panel hands it this link as
the "connected API", so finding or starting the agent happens inside each call, where a
failure is an ordinary ``AgentUnavailable`` the panel shows as one line, and the next
call (or the event feed's next poll) simply tries again.
"""
from __future__ import annotations

import threading
from typing import Any, Callable

from ..client import AgentAPI, AgentClient
from ..errors import AgentUnavailable


class AgentLink:
    """Quacks like ``AgentAPI``; every method connects first if needed."""

    def __init__(self, connect: Callable[[], AgentAPI]) -> None:
        self._connect = connect
        self._api: AgentAPI | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        api = self._api
        return api.url if api is not None else ""

    def api(self) -> AgentAPI:
        with self._lock:
            if self._api is None:
                self._api = self._connect()
            return self._api

    def forget(self) -> None:
        with self._lock:
            self._api = None

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("_") or not callable(getattr(AgentAPI, name, None)):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            api = self.api()
            try:
                return getattr(api, name)(*args, **kwargs)
            except AgentUnavailable:
                self.forget()  # the agent went away: find (or start) it again next time
                raise

        return call


class ClientSlot:
    """Holds the session's AgentClient outside Qt, so it can be closed after the widgets
    are gone (a Nuke pane may be destroyed without a close event)."""

    def __init__(self) -> None:
        self.client: AgentClient | None = None
        self.closed = False

    def close(self) -> None:
        self.closed = True  # results still in flight are dropped, not run on dead widgets
        if self.client is not None:
            self.client.close()
            self.client = None
