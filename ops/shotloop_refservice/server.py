"""Running the service: in a background thread (tests, the agent) or blocking (CLI).

    with RefService(ServiceConfig(pending_s=0.2, running_s=0.5)) as svc:
        url = svc.url            # http://127.0.0.1:PORT, already accepting requests
        svc.faults.add(FaultRule("status", status=503, path="/v1/tasks/*"))
        ...
        svc.stats()

The socket is bound before uvicorn starts, so the port is known and free; only loopback
addresses are accepted, since the service publishes its development key.
"""
from __future__ import annotations

import argparse
import json
import logging
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import weakref
from pathlib import Path
from typing import IO, Any, Callable, Sequence

import uvicorn

from shotloop.errors import ShotLoopError
from shotloop.providers.http import is_loopback_host

from .app import build_app
from .config import DEV_KEY, ServiceConfig
from .connections import protocol_class
from .faults import FaultRule, FaultSet, FaultSpecInvalid, parse_markers, rule_from_dict
from .state import ServiceState

log = logging.getLogger(__name__)


class ServiceError(ShotLoopError):
    """The service could not be started as asked."""

    code = "refservice_failed"



def _bind(host: str, port: int) -> socket.socket:
    if not is_loopback_host(host):
        raise ServiceError(f"refusing to listen on {host!r}: the reference service is loopback-only",
                           field="host", fix="use 127.0.0.1, ::1 or localhost")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ServiceError(f"cannot listen on {host}:{port}: {exc.strerror}", field="port",
                           fix="pick another port, or 0 for any free one") from exc
    sock.listen(128)
    return sock


class RefService:
    """One reference service instance on 127.0.0.1, served from a background thread."""

    def __init__(self, config: ServiceConfig | None = None) -> None:
        self.config = config or ServiceConfig()
        self.work_dir = Path(self.config.work_dir or tempfile.mkdtemp(prefix="shotloop-refservice-"))
        # A temp folder of our own goes when stopped, or at the latest when garbage collected.
        self._cleanup = weakref.finalize(
            self, shutil.rmtree, self.work_dir, ignore_errors=True
        ) if self.config.work_dir is None else None
        self.state = ServiceState.build(self.config, self.work_dir)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.url = ""

    @property
    def faults(self) -> FaultSet:
        return self.state.faults

    def start(self, timeout_s: float = 15.0) -> str:
        """Start serving in a background thread; returns the base URL once it answers."""
        if self._thread is not None:
            return self.url
        try:
            server = self._prepare()
        except ServiceError:
            self.stop()
            raise
        self._thread = threading.Thread(target=server.run, kwargs={"sockets": [self._socket]},
                                        name=f"refservice-{self.url.rsplit(':', 1)[-1]}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout_s
        while not server.started:
            if not self._thread.is_alive():
                self.stop()
                raise ServiceError("the reference service stopped while starting; see the log")
            if time.monotonic() > deadline:
                self.stop()
                raise ServiceError(f"the reference service did not start within {timeout_s} s")
            self._thread.join(0.01)
        log.info("reference service listening on %s", self.url)
        return self.url

    def serve(self, ready: Callable[[str], None] | None = None) -> None:
        """Serve in this thread until interrupted (Ctrl-C / SIGTERM)."""
        try:
            server = self._prepare()
        except ServiceError:
            self.stop()
            raise
        if ready is not None:
            ready(self.url)
        # uvicorn re-raises the SIGTERM it caught once it has shut down; with the default
        # handler that would kill the process before the work folder is cleaned up.
        in_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, _after_shutdown) if in_main else None
        try:
            server.run(sockets=[self._socket])
        finally:
            if in_main:
                signal.signal(signal.SIGTERM, previous)
            self.stop()

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(self.config.graceful_shutdown_s + 5)
        if self._socket is not None:
            self._socket.close()
        self._server, self._thread, self._socket = None, None, None
        self.state.outputs.close()
        if self._cleanup is not None:
            self._cleanup()

    def _prepare(self) -> uvicorn.Server:
        self._socket = _bind(self.config.host, self.config.port)
        host, port = self._socket.getsockname()[:2]
        self.url = f"http://{'[' + host + ']' if ':' in host else host}:{port}"
        self._server = uvicorn.Server(_uvicorn_config(self.state))
        return self._server

    def stats(self) -> dict[str, Any]:
        return self.state.stats()

    def requests(self, path: str | None = None, method: str | None = None) -> list[dict[str, Any]]:
        """What clients sent (as GET /_mock/requests), oldest first."""
        return self.state.journal.entries(path=path, method=method)

    def reset(self) -> None:
        """Forget tasks, uploads, faults, requests and usage (as POST /_mock/reset)."""
        self.state.reset()

    def __enter__(self) -> "RefService":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _after_shutdown(signum: int, frame: object) -> None:
    """SIGTERM after uvicorn's graceful shutdown: nothing left to do but return."""


def _uvicorn_config(state: ServiceState) -> uvicorn.Config:
    return uvicorn.Config(
        build_app(state),
        http=protocol_class(state.connections),
        ws="none",
        lifespan="off",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=int(max(1, state.config.graceful_shutdown_s)),
    )


def _parser() -> argparse.ArgumentParser:
    defaults = ServiceConfig()
    parser = argparse.ArgumentParser(prog="shotloop refservice",
                                     description="ShotLoop's local Runway-compatible reference service.")
    parser.add_argument("--host", default=defaults.host, help="loopback address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    parser.add_argument("--api-key", default=DEV_KEY, help="the only accepted bearer key")
    parser.add_argument("--pending-s", type=float, default=defaults.pending_s)
    parser.add_argument("--running-s", type=float, default=defaults.running_s)
    parser.add_argument("--concurrency", type=int, default=defaults.concurrency)
    parser.add_argument("--daily-limit", type=int, default=None)
    parser.add_argument("--output-ttl-s", type=float, default=defaults.output_ttl_s)
    parser.add_argument("--credit-balance", type=int, default=defaults.credit_balance)
    parser.add_argument("--fps", type=int, default=defaults.fps)
    parser.add_argument("--lax-version", action="store_true", help="accept any X-Runway-Version")
    parser.add_argument("--cancelled-visible", action="store_true",
                        help="DELETE of an active task leaves it visible as CANCELLED")
    parser.add_argument("--custom-model", action="append", default=[], metavar="ID=BASE",
                        help="a studio model id that behaves like catalogue model BASE")
    parser.add_argument("--fault", action="append", default=[], metavar="JSON|MARKER",
                        help='a fault rule as JSON, or a marker body such as "status 503 times=2"')
    parser.add_argument("--work-dir", default=None, help="render cache and uploads (default: temp)")
    return parser


def config_from_args(argv: Sequence[str]) -> ServiceConfig:
    args = _parser().parse_args(list(argv))
    custom = {}
    for item in args.custom_model:
        model, sep, base = item.partition("=")
        if not sep or not model or not base:
            raise ServiceError(f"{item!r} is not ID=BASE", field="--custom-model",
                               fix="e.g. --custom-model acme_v2=gen4.5")
        custom[model] = base
    try:
        faults = tuple(_fault_arg(text) for text in args.fault)
    except (ValueError, FaultSpecInvalid) as exc:
        raise ServiceError(str(exc), field="--fault",
                           fix='give JSON such as {"kind": "status", "status": 503} or "status 503"') from exc
    return ServiceConfig(
        api_key=args.api_key, pending_s=args.pending_s, running_s=args.running_s,
        concurrency=args.concurrency, daily_limit=args.daily_limit, output_ttl_s=args.output_ttl_s,
        credit_balance=args.credit_balance, fps=args.fps, strict_version=not args.lax_version,
        custom_models=custom, cancelled_visible=args.cancelled_visible, faults=faults,
        work_dir=args.work_dir, host=args.host, port=args.port,
    )


def _fault_arg(text: str) -> FaultRule:
    if text.lstrip().startswith("{"):
        return rule_from_dict(json.loads(text))
    found = parse_markers(f"[[fault:{text}]]")
    if not found:
        raise FaultSpecInvalid(f"cannot read fault {text!r}")
    return found[0][1]


def main(argv: Sequence[str] | None = None, out: IO[str] | None = None,
         err: IO[str] | None = None) -> int:
    """Serve until interrupted; prints the base URL first (useful with --port 0)."""
    out, err = out or sys.stdout, err or sys.stderr

    def announce(url: str) -> None:
        key = "the dev key" if service.config.api_key == DEV_KEY else "a custom key"
        out.write(f"reference service on {url} (accepting {key})\n")
        out.flush()

    try:
        service = RefService(config_from_args(sys.argv[1:] if argv is None else argv))
        service.serve(ready=announce)
    except ServiceError as exc:
        err.write(f"refservice: {exc}\n")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
