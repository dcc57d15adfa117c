"""Run the agent: ledger + runner + HTTP API on 127.0.0.1, found through ``agent.json``."""
from __future__ import annotations

import logging
import logging.handlers
import os
import signal
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from ..client import AgentAPI
from ..errors import AgentUnavailable
from ..settings import Settings, load_settings
from ..store.ledger import Ledger
from .home import AgentHome
from .http import create_app
from .resources import Resources
from .runner import Runner
from .service import AgentService

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"


@dataclass
class Agent:
    """A running agent (in this process). ``stop()`` ends it cleanly."""

    home: AgentHome
    url: str
    resources: Resources
    runner: Runner
    server: uvicorn.Server
    thread: threading.Thread | None = None
    _stopped: threading.Event = field(default_factory=threading.Event)

    def api(self) -> AgentAPI:
        return AgentAPI(self.url, self.home.token())

    def stop(self) -> None:
        if self._stopped.is_set():
            return
        self._stopped.set()
        self.server.should_exit = True
        if self.thread is not None and self.thread is not threading.current_thread():
            self.thread.join(timeout=15)
        self.runner.stop()
        self.resources.close()
        self.resources.ledger.close()
        self.home.clear_info(os.getpid())

    def wait(self) -> None:
        self._stopped.wait()


def build_agent(home: AgentHome, *, port: int = 0, settings: Settings | None = None,
                ocio_config: str | None = None, refservice_config: Any = None,
                media_workers: int | None = None) -> tuple[Agent, socket.socket]:
    running = AgentAPI._from_info(home)
    if running is not None:
        raise AgentUnavailable(f"an agent already runs for {home.root} at {running.url}",
                               fix="use that agent, or stop it with `shotloop agent --stop`")
    home.ensure()
    token = home.token(create=True)
    ledger = Ledger(home.ledger)
    resources = Resources(home, settings or load_settings(), ledger, ocio_config=ocio_config,
                          refservice_config=refservice_config)
    runner = Runner(resources, media_workers=media_workers or 1)
    service = AgentService(resources, runner)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, port))  # loopback only, never 0.0.0.0
    url = f"http://{LOOPBACK}:{sock.getsockname()[1]}"
    holder: dict[str, Agent] = {}
    app = create_app(service, token, on_shutdown=lambda: threading.Thread(
        target=holder["agent"].stop, daemon=True).start())
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=1)  # do not wait out open long polls
    server = uvicorn.Server(config)
    agent = Agent(home=home, url=url, resources=resources, runner=runner, server=server)
    holder["agent"] = agent
    return agent, sock


def start_agent(home: AgentHome, **kwargs: Any) -> Agent:
    """Start an agent on a background thread of this process (tests, embedding)."""
    agent, sock = build_agent(home, **kwargs)
    agent.runner.start()
    agent.thread = threading.Thread(target=agent.server.run, kwargs={"sockets": [sock]},
                                    name="shotloop-agent-http", daemon=True)
    agent.thread.start()
    _wait_ready(agent)
    agent.home.write_info(agent.url, os.getpid())
    return agent


def _wait_ready(agent: Agent, deadline_s: float = 20.0) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if agent.server.started:
            return
        time.sleep(0.02)
    raise AgentUnavailable("the agent's HTTP server did not start", fix=f"see {agent.home.log_file}")


def setup_logging(home: AgentHome, level: int = logging.INFO) -> None:
    """A rotating log file in the agent's home; tracebacks go here, not to artists."""
    home.ensure()
    handler = logging.handlers.RotatingFileHandler(home.log_file, maxBytes=5_000_000, backupCount=3)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(level)  # pyblish lowers the root logger while plugins run
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)


def _lower_priority() -> None:
    """Media work must not starve the artist's host UI on a small machine."""
    if hasattr(os, "nice"):
        try:
            os.nice(10)
        except OSError as exc:
            log.info("could not lower the agent's priority: %s", exc)


def serve_forever(home: AgentHome, **kwargs: Any) -> None:
    """``shotloop agent``: run until SIGTERM/SIGINT or POST /v1/shutdown."""
    setup_logging(home)
    _lower_priority()
    agent = start_agent(home, **kwargs)
    log.info("ShotLoop agent for %s at %s (pid %d)", home.root, agent.url, os.getpid())
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: threading.Thread(target=agent.stop, daemon=True).start())
    agent.wait()
