"""Pytest fixtures that run the real agent against the real reference service on loopback.

``agent``: one agent per test session, in a thread of the test process, whose "reference"
profile points at the session's reference service (so tests can inject faults there).
``agent_process``: a factory that runs ``shotloop agent`` as a real child process, for
crash and restart tests. Import the fixtures from a conftest.py:
``from tests.agent_fixture import agent, agent_process  # noqa: F401``.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from shotloop.agent.home import AgentHome
from shotloop.agent.resources import override_profile
from shotloop.agent.server import Agent, start_agent
from shotloop.client import AgentAPI
from shotloop.errors import ShotLoopError
from shotloop.model import FINAL_STATES, Job
from shotloop.settings import load_settings


@dataclass
class AgentRun:
    home: Path
    url: str
    api: AgentAPI
    agent: Agent | None = None
    process: subprocess.Popen | None = None

    def wait_final(self, job_ids: list[str], deadline_s: float = 120.0) -> list[Job]:
        """Wait (with a deadline) until every job is in a final state; return them."""
        end = time.monotonic() + deadline_s
        cursor = 0
        while True:
            jobs = [self.api.job(j) for j in job_ids]
            if all(j.state in FINAL_STATES for j in jobs):
                return jobs
            if time.monotonic() > end:
                states = {j.shot.name: j.state.value for j in jobs}
                raise AssertionError(f"jobs not final after {deadline_s} s: {states}")
            _, cursor = self.api.events(cursor, wait_s=1.0)


def reference_settings(url: str):
    return override_profile(load_settings(env={}), "reference", base_url=url, poll_interval_s=0.3)


@contextmanager
def running_agent(refservice, home: Path) -> Iterator[AgentRun]:
    """An in-process agent for ``home`` on ``refservice``; SHOTLOOP_HOME points at it meanwhile."""
    previous = os.environ.get("SHOTLOOP_HOME")
    os.environ["SHOTLOOP_HOME"] = str(home)
    running = start_agent(AgentHome(home), settings=reference_settings(refservice.url))
    try:
        yield AgentRun(home=home, url=running.url, api=running.api(), agent=running)
    finally:
        running.stop()
        if previous is None:
            os.environ.pop("SHOTLOOP_HOME", None)
        else:
            os.environ["SHOTLOOP_HOME"] = previous


@pytest.fixture(scope="session")
def agent(refservice, tmp_path_factory) -> Iterator[AgentRun]:
    with running_agent(refservice, tmp_path_factory.mktemp("agent-home")) as run:
        yield run


@pytest.fixture
def agent_process(refservice, tmp_path):
    """Start ``shotloop agent`` as a child process; returns start(home) -> AgentRun.

    Every process started is killed at the end of the test.
    """
    started: list[subprocess.Popen] = []

    def start(home: Path | None = None) -> AgentRun:
        home = home or tmp_path / "agent-home"
        home.mkdir(parents=True, exist_ok=True)
        AgentHome(home).info_file.unlink(missing_ok=True)
        env = dict(os.environ, SHOTLOOP_HOME=str(home), NO_PROXY="127.0.0.1,localhost")
        env.pop("RUNWAYML_API_SECRET", None)
        proc = subprocess.Popen(
            [sys.executable, "-m", "shotloop.cli", "agent", "--home", str(home),
             "--reference-url", refservice.url],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(proc)
        end = time.monotonic() + 60
        while time.monotonic() < end:
            if proc.poll() is not None:
                raise AssertionError(f"agent exited with {proc.returncode}; see {home / 'agent.log'}")
            info = AgentHome(home).read_info()
            if info and info.get("pid") == proc.pid:
                api = AgentAPI(info["url"], AgentHome(home).token())
                try:
                    api.health()
                    return AgentRun(home=home, url=info["url"], api=api, process=proc)
                except ShotLoopError:  # not listening yet
                    pass
            time.sleep(0.05)
        raise AssertionError("agent did not start within 60 s")

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
