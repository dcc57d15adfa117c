"""What hosts and the CLI import to talk to the local agent.

``AgentAPI`` is the blocking HTTP client (CLI, tests, worker threads). ``AgentClient`` is the
non-blocking facade for hosts: every request runs on its worker thread, the event feed on a
second one, and results come back through ``dispatch`` (``Host.call_in_main_thread``), so
a host's main thread never waits on the network. Light on purpose: requests and the model
only, no media libraries.
"""
from __future__ import annotations

import logging
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import requests

from . import model
from .agent.home import AgentHome
from .errors import AgentRefused, AgentUnavailable, ShotLoopError
from .model import Job, JobRequest, ReviewStatus, Version

log = logging.getLogger(__name__)

TOKEN_HEADER = "X-ShotLoop-Token"
EVENT_WAIT_S = 20.0


@dataclass(frozen=True)
class AgentEvent:
    """One entry of the agent's event feed (ordered by ``seq``, kept across restarts)."""

    seq: int
    time: float
    kind: str  # job.added | job.state | job.progress | version.published | version.review
    job_id: str
    payload: Mapping[str, Any]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "AgentEvent":
        return cls(int(data["seq"]), float(data["time"]), str(data["kind"]),
                   str(data.get("job_id") or ""), dict(data.get("payload") or {}))


class AgentAPI:
    """Blocking client of the agent's HTTP API. Thread-safe (one session per thread)."""

    def __init__(self, url: str, token: str, *, timeout: float = 15.0) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self._local = threading.local()

    # ------------------------------------------------------------------ connecting
    @classmethod
    def connect(
        cls,
        home: Path | str | None = None,
        *,
        start: bool = True,
        command: Sequence[str] | None = None,
        deadline_s: float = 60.0,
    ) -> "AgentAPI":
        """Find the running agent for ``home``, starting one when allowed."""
        agent_home = AgentHome.resolve(home)
        api = cls._from_info(agent_home)
        if api is not None:
            return api
        if not start:
            raise AgentUnavailable(
                f"no agent is running for {agent_home.root}",
                fix="start it with `shotloop agent`",
            )
        _spawn_agent(agent_home, command)
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            api = cls._from_info(agent_home)
            if api is not None:
                return api
            time.sleep(0.1)
        raise AgentUnavailable(
            f"the agent did not start within {deadline_s:.0f} s",
            fix=f"look at {agent_home.log_file}, or run `shotloop agent` in a terminal",
        )

    @classmethod
    def _from_info(cls, home: AgentHome) -> "AgentAPI | None":
        info = home.read_info()
        if not info:
            return None
        try:
            api = cls(str(info["url"]), home.token())
            api.health()
            return api
        except (ShotLoopError, KeyError):
            return None

    # ------------------------------------------------------------------ transport
    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # loopback only: never through a proxy
            session.headers[TOKEN_HEADER] = self._token
            self._local.session = session
        return session

    def _call(self, method: str, path: str, *, json: Any = None, params: Mapping | None = None,
              timeout: float | None = None) -> Any:
        try:
            resp = self._session().request(method, f"{self.url}{path}", json=json, params=params,
                                           timeout=timeout or self.timeout)
        except requests.RequestException as exc:
            raise AgentUnavailable(
                f"cannot reach the agent at {self.url} ({type(exc).__name__})",
                fix="check that `shotloop agent` is running",
            ) from None
        try:
            body = resp.json()
        except ValueError:
            body = {}
        if resp.status_code >= 400:
            err = body.get("error") if isinstance(body, dict) else None
            if isinstance(err, dict):
                raise ShotLoopError.from_dict(err)
            raise AgentRefused(f"the agent answered {resp.status_code} to {method} {path}")
        return body

    # ------------------------------------------------------------------ API
    def health(self) -> dict:
        return self._call("GET", "/v1/health", timeout=3.0)

    def submit(self, requests_: Iterable[JobRequest]) -> list[Job | ShotLoopError]:
        """Submit a batch; each element gets its job or its own error."""
        body = {"jobs": [model.to_dict(r) for r in requests_]}
        results = self._call("POST", "/v1/jobs", json=body)["results"]
        return [_job_or_error(r) for r in results]

    def jobs(self, *, state: str | None = None, shot: str | None = None,
             batch: str | None = None) -> list[Job]:
        params = {k: v for k, v in {"state": state, "shot": shot, "batch": batch}.items() if v}
        return [model.from_dict(Job, j) for j in self._call("GET", "/v1/jobs", params=params)["jobs"]]

    def job(self, job_id: str) -> Job:
        return model.from_dict(Job, self._call("GET", f"/v1/jobs/{job_id}")["job"])

    def cancel(self, job_id: str) -> Job:
        return model.from_dict(Job, self._call("POST", f"/v1/jobs/{job_id}/cancel")["job"])

    def retry(self, job_id: str) -> Job:
        """Send a FAILED or SUBMIT_UNKNOWN job again, as a person decided to."""
        return model.from_dict(Job, self._call("POST", f"/v1/jobs/{job_id}/retry")["job"])

    def versions(self, shot: str, *, label: str | None = None, root: str = "") -> list[Version]:
        params = {k: v for k, v in {"shot": shot, "label": label, "root": root}.items() if v}
        data = self._call("GET", "/v1/versions", params=params)["versions"]
        return [model.from_dict(Version, v) for v in data]

    def review(self, shot: str, label: str, number: int, status: ReviewStatus | str,
               note: str = "", *, root: str = "") -> Version:
        body = {"shot": shot, "label": label, "number": number,
                "status": ReviewStatus(status).value, "note": note, "root": root}
        return model.from_dict(Version, self._call("POST", "/v1/versions/review", json=body)["version"])

    def replay(self, shot: str, label: str, number: int, *, root: str = "") -> Job:
        body = {"shot": shot, "label": label, "number": number, "root": root}
        return model.from_dict(Job, self._call("POST", "/v1/versions/replay", json=body)["job"])

    def provenance(self, shot: str, label: str, number: int, *, root: str = "") -> dict:
        params = {"shot": shot, "label": label, "number": number, "root": root}
        return self._call("GET", "/v1/versions/provenance", params=params)["provenance"]

    def profile(self, name: str = "") -> dict:
        """Models with their limits, OCIO colour spaces, budget and balance of a profile."""
        return self._call("GET", "/v1/profile", params={"name": name} if name else None)

    def account(self, profile: str = "") -> dict:
        return self._call("GET", "/v1/account", params={"profile": profile} if profile else None)

    def events(self, since: int, *, wait_s: float = EVENT_WAIT_S) -> tuple[list[AgentEvent], int]:
        """Long poll: events after ``since``, waiting up to ``wait_s`` for the first one.

        ``since=-1`` returns no events at once, only the current last sequence number (to
        follow only what happens from now on)."""
        data = self._call("GET", "/v1/events", params={"since": since, "timeout": wait_s},
                          timeout=wait_s + 10.0)
        return [AgentEvent.from_dict(e) for e in data["events"]], int(data["last"])

    def shutdown(self) -> None:
        self._call("POST", "/v1/shutdown")


def _job_or_error(result: Mapping[str, Any]) -> Job | ShotLoopError:
    if "error" in result:
        return ShotLoopError.from_dict(result["error"])
    return model.from_dict(Job, result["job"])


def agent_command() -> list[str]:
    """How to start the agent from ShotLoop's own environment.

    ``SHOTLOOP_AGENT_COMMAND`` wins (a full command line); otherwise a ``shotloop`` executable on
    PATH; otherwise this Python (``-m shotloop.cli``), which works when it has the media stack.
    """
    env = os.environ.get("SHOTLOOP_AGENT_COMMAND")
    if env:
        return env.split()
    exe = shutil.which("shotloop")
    if exe:
        return [exe]
    return [sys.executable, "-m", "shotloop.cli"]


def _spawn_agent(home: AgentHome, command: Sequence[str] | None) -> None:
    home.ensure()
    args = [*(command or agent_command()), "agent", "--home", str(home.root)]
    log.info("starting the ShotLoop agent: %s", " ".join(args))
    with open(home.log_file, "ab") as logfh:
        subprocess.Popen(  # noqa: S603 - our own command
            args, stdin=subprocess.DEVNULL, stdout=logfh, stderr=logfh,
            start_new_session=True, close_fds=True,
        )


# ---------------------------------------------------------------------- non-blocking facade


Callback = Callable[[Any], None]


class AgentClient:
    """Non-blocking access to the agent for host UIs.

    Every call returns at once; the request runs on the worker thread and ``on_done`` gets the
    result (or the ShotLoopError) through ``dispatch``. ``follow`` delivers every agent event
    through ``dispatch`` too. Errors never escape into the host: they reach ``on_error``.
    """

    def __init__(
        self,
        connect: Callable[[], AgentAPI] = AgentAPI.connect,
        *,
        dispatch: Callable[[Callable[[], None]], None] = lambda fn: fn(),
        on_error: Callable[[ShotLoopError], None] | None = None,
    ) -> None:
        self._connect = connect
        self._dispatch = dispatch
        self._on_error = on_error or (lambda err: log.error("%s", err.message))
        self._api: AgentAPI | None = None
        self._api_lock = threading.Lock()
        self._tasks: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._run, name="shotloop-client", daemon=True)
        self._worker.start()
        self._follower: threading.Thread | None = None

    # ------------------------------------------------------------------ plumbing
    def api(self) -> AgentAPI:
        """The connected blocking API (connects or starts the agent on first use)."""
        with self._api_lock:
            if self._api is None:
                self._api = self._connect()
            return self._api

    def _run(self) -> None:
        while True:
            task = self._tasks.get()
            if task is None:
                return
            task()

    def _deliver(self, fn: Callable[[], None]) -> None:
        try:
            self._dispatch(fn)
        except Exception:  # the host's dispatcher is gone (host closing): nothing to deliver to
            log.debug("could not dispatch to the host", exc_info=True)

    def call(self, method: Callable[[AgentAPI], Any], on_done: Callback | None = None) -> None:
        """Run ``method(api)`` on the worker thread; deliver its result through dispatch."""

        def task() -> None:
            try:
                result = method(self.api())
            except ShotLoopError as err:
                with self._api_lock:
                    if isinstance(err, AgentUnavailable):
                        self._api = None  # reconnect (and restart the agent) next time
                self._deliver(lambda e=err: self._on_error(e))  # bind now: `err` is cleared
                return
            except Exception as exc:  # a bug must reach the log, never kill the worker
                log.exception("ShotLoop client call failed")
                internal = ShotLoopError(f"internal error: {exc}")
                self._deliver(lambda e=internal: self._on_error(e))
                return
            if on_done is not None:
                self._deliver(lambda r=result: on_done(r))

        self._tasks.put(task)

    # ------------------------------------------------------------------ API
    def submit(self, requests_: Sequence[JobRequest], on_done: Callback | None = None) -> None:
        reqs = list(requests_)
        self.call(lambda api: api.submit(reqs), on_done)

    def cancel(self, job_id: str, on_done: Callback | None = None) -> None:
        self.call(lambda api: api.cancel(job_id), on_done)

    def jobs(self, on_done: Callback, **filters: str) -> None:
        self.call(lambda api: api.jobs(**filters), on_done)

    def versions(self, shot: str, on_done: Callback, *, label: str | None = None, root: str = "") -> None:
        self.call(lambda api: api.versions(shot, label=label, root=root), on_done)

    def review(self, shot: str, label: str, number: int, status: ReviewStatus | str, note: str = "",
               on_done: Callback | None = None, *, root: str = "") -> None:
        self.call(lambda api: api.review(shot, label, number, status, note, root=root), on_done)

    def replay(self, shot: str, label: str, number: int, on_done: Callback | None = None,
               *, root: str = "") -> None:
        self.call(lambda api: api.replay(shot, label, number, root=root), on_done)

    def follow(self, listener: Callable[[AgentEvent], None], *, since: int = 0) -> None:
        """Follow the event feed from ``since`` on its own thread; events go through dispatch."""
        if self._follower is not None:
            return

        def run() -> None:
            cursor = since
            backoff = 0.5
            while not self._stop.is_set():
                try:
                    events, cursor = self.api().events(cursor)
                    backoff = 0.5
                except ShotLoopError as err:
                    with self._api_lock:
                        self._api = None
                    log.warning("event feed: %s", err.message)
                    self._stop.wait(backoff)
                    backoff = min(backoff * 2, 10.0)
                    continue
                for event in events:
                    self._deliver(lambda e=event: listener(e))

        self._follower = threading.Thread(target=run, name="shotloop-events", daemon=True)
        self._follower.start()

    def close(self) -> None:
        self._stop.set()
        self._tasks.put(None)
