"""Fixtures for the Nuke adapter tests: the emulated ``nuke`` on sys.path, a fresh session per
test, an agent (a scripted stand-in, or the real one from tests.agent_fixture), and a pump
that plays Nuke's event loop with a deadline.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the panel test builds a real widget
ROOT = Path(__file__).resolve().parents[3]
# The emulated nuke/nukescripts first; the NUKE_PATH folder last (its init.py / menu.py must
# not shadow other modules named like them).
if str(ROOT / "tests" / "nuke_emulation") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests" / "nuke_emulation"))
if str(ROOT / "hosts" / "nuke") not in sys.path:
    sys.path.append(str(ROOT / "hosts" / "nuke"))

import nuke  # noqa: E402 - the emulation, found through the path set above
import nuke_fake  # noqa: E402

from tests.hosts.nuke.fake_agent import FakeAgentAPI  # noqa: E402


@pytest.fixture
def nk() -> Iterator[Any]:
    """A fresh GUI session of the emulated Nuke 15 (knobChanged: documented <=16 policy)."""
    nuke_fake.reset(gui=True, version=(15, 0, 1))
    yield nuke
    _teardown()


@pytest.fixture(params=["panel", "always"])
def nk_any_policy(request: pytest.FixtureRequest) -> Iterator[Any]:
    """The same, once per knobChanged policy (Nuke <= 16 documented, and 17.1 documented).

    A test module runs all its tests under both with ``nk = nk_both_policies``.
    """
    nuke_fake.reset(gui=True, version=(16, 0, 1), knob_changed=request.param)
    yield nuke
    _teardown()


nk_both_policies = nk_any_policy


def _teardown() -> None:
    from shotloop_nuke import runtime

    runtime.shutdown()
    for registry in ("onScriptLoads", "onScriptSaves", "onScriptCloses", "knobChangeds"):
        nuke._SESSION.callbacks[registry].clear()
    nuke_fake.reset(gui=True)


@pytest.fixture
def fake_agent() -> FakeAgentAPI:
    return FakeAgentAPI()


@pytest.fixture
def pump() -> Callable[..., Any]:
    """``pump(until=predicate, timeout_s=10)``: run Nuke's main-thread queue until true."""

    def run(until: Callable[[], Any], timeout_s: float = 10.0, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout_s
        while True:
            nuke_fake.pump()
            value = until()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} not reached within {timeout_s} s")
            time.sleep(0.01)

    return run


def install_session(connect: Callable[[], Any], wait_s: float = 0.3) -> Any:
    """Install ShotLoop as init.py does, with a session talking to ``connect()``."""
    from shotloop_nuke import runtime
    from shotloop_nuke.session import NukeSession

    runtime.install()
    session = NukeSession(runtime.host(), connect=connect, wait_s=wait_s)
    runtime.use_session(session)
    session.attach()
    return session


@pytest.fixture
def scripted_session(nk: Any, fake_agent: FakeAgentAPI) -> Any:
    return install_session(lambda: fake_agent)
