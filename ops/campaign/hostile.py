"""A tiny loopback HTTP server that answers whatever it is told to: garbage JSON, wrong
types, endless bodies, dropped connections, echoed headers.

Used to point a provider profile at a service that misbehaves in ways the reference
service does not (its answers follow the contract). Routes are set per test:

    with HostileServer() as server:
        server.route("POST", "/v1/image_to_video", Answer(200, b"not json"))
        server.route("GET", "/v1/tasks/*", Answer(200, b"[1, 2]"))
        ...
        server.requests   # what was asked, Authorization header included (never logged)

Binds 127.0.0.1 on a free port only; stops its thread on exit.
"""
from __future__ import annotations

import fnmatch
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterable, Mapping

__all__ = ["Answer", "Seen", "HostileServer", "json_answer"]


@dataclass(frozen=True)
class Answer:
    """One canned answer. ``body`` may be bytes or a callable returning an iterable of
    chunks (streamed without Content-Length unless ``length`` is set). ``drop`` closes
    the connection without answering. ``echo_auth`` appends the request's Authorization
    header to the body (a service that leaks what it was sent)."""

    status: int = 200
    body: bytes | Callable[[], Iterable[bytes]] = b""
    headers: Mapping[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    length: int | None = None  # a Content-Length to announce (may lie)
    drop: bool = False
    echo_auth: bool = False


def json_answer(data: Any, status: int = 200, **headers: str) -> Answer:
    return Answer(status, json.dumps(data).encode(), {"Content-Type": "application/json", **headers})


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: Mapping[str, str]
    body: bytes


class HostileServer:
    def __init__(self) -> None:
        self._routes: list[tuple[str, str, Answer]] = []
        self._lock = threading.Lock()
        self.requests: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
                return

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                with server._lock:
                    server.requests.append(Seen(self.command, path, dict(self.headers.items()), body))
                answer = server._answer(self.command, path)
                if answer.drop:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                payload = answer.body
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                if callable(payload):
                    if answer.length is not None:
                        self.send_header("Content-Length", str(answer.length))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.close_connection = True
                    try:
                        for chunk in payload():
                            self.wfile.write(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    return
                if answer.echo_auth:
                    payload = payload + (self.headers.get("Authorization") or "").encode()
                self.send_header("Content-Length", str(answer.length if answer.length is not None
                                                       else len(payload)))
                self.end_headers()
                try:
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_DELETE = do_PUT = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="hostile-http",
                                        daemon=True)

    def route(self, method: str, pattern: str, answer: Answer) -> None:
        """Answer ``method`` requests whose path matches the glob ``pattern`` (latest wins)."""
        with self._lock:
            self._routes.insert(0, (method.upper(), pattern, answer))

    def clear(self) -> None:
        with self._lock:
            self._routes.clear()
            self.requests.clear()

    def _answer(self, method: str, path: str) -> Answer:
        with self._lock:
            for want_method, pattern, answer in self._routes:
                if want_method == method and fnmatch.fnmatchcase(path, pattern):
                    return answer
        return json_answer({"error": "not found"}, 404)

    def start(self) -> "HostileServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "HostileServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
