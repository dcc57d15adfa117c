"""Fixtures of the reliability suite: a reference service and an in-process agent of its
own (fast polling, three profiles from ops/campaign/faultplan.py), and the real agent
process factory from tests/agent_fixture.py for crash tests."""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from ops.campaign.agents import fast_settings
from tests.agent_fixture import AgentRun, agent_process  # noqa: F401


@pytest.fixture(scope="session")
def rel_service() -> Iterator[object]:
    """A reference service for this suite only (its fault rules are cleared per test)."""
    from shotloop_refservice.config import ServiceConfig
    from shotloop_refservice.server import RefService

    with RefService(ServiceConfig(concurrency=16, pending_s=0.2, running_s=0.5)) as service:
        yield service


@pytest.fixture(autouse=True)
def _rel_faults_cleared(request: pytest.FixtureRequest) -> Iterator[None]:
    if "rel_service" not in request.fixturenames:
        yield
        return
    service = request.getfixturevalue("rel_service")
    service.faults.clear()
    yield
    service.faults.clear()


@pytest.fixture(scope="session")
def rel_agent(rel_service, tmp_path_factory) -> Iterator[AgentRun]:
    """An agent in this process with the fast profiles reference, uploads and short."""
    from shotloop.agent.home import AgentHome
    from shotloop.agent.server import start_agent

    home = tmp_path_factory.mktemp("rel-agent-home")
    running = start_agent(AgentHome(home), settings=fast_settings(rel_service.url))
    try:
        yield AgentRun(home=home, url=running.url, api=running.api(), agent=running)
    finally:
        running.stop()


@pytest.fixture
def fast_child_settings(tmp_path, monkeypatch, refservice) -> Path:
    """A settings.toml with fast profiles against the session refservice, made the
    SHOTLOOP_CONFIG of agent processes started by ``agent_process`` in this test."""
    from ops.campaign.agents import settings_toml

    path = tmp_path / "settings.toml"
    path.write_text(settings_toml(refservice.url), encoding="utf-8")
    monkeypatch.setenv("SHOTLOOP_CONFIG", str(path))
    return path
