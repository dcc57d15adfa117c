"""Bad input, 40+ cases (ops/campaign/bad_*.py): each gives its expected ShotLoopError
naming the shot (where one applies) and the field, changes nothing on disk, makes no job
(or one FAILED job that sent nothing) and sends no create."""
from __future__ import annotations

from typing import Iterator

import pytest

from ops.campaign.badinput import Workspace, all_cases, run_case, seed_store
from ops.campaign.hostile import HostileServer
from ops.campaign.tinyfs import tiny_filesystem

CASES = all_cases()


def test_there_are_at_least_40_cases_across_every_kind_of_bad_input():
    assert len(CASES) >= 40
    kinds = {c.category for c in CASES}
    assert {"frames", "zero-length", "colour", "names", "recipe", "keyframes", "cuts",
            "server answers", "downloads", "disk"} <= kinds


@pytest.fixture(scope="module")
def workspace(rel_agent, rel_service, tmp_path_factory) -> Iterator[Workspace]:
    base = tmp_path_factory.mktemp("bad-input")
    token = (rel_agent.home / "token").read_text().strip()
    with HostileServer() as hostile, tiny_filesystem(base / "tiny") as tiny:
        ws = Workspace(dir=base / "inputs", store=base / "store", api=rel_agent.api, token=token,
                       service=rel_service, hostile=hostile, tiny=tiny)
        ws.dir.mkdir()
        ws.store.mkdir()
        seed_store(ws)
        yield ws


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case, workspace):
    outcome = run_case(case, workspace)
    if outcome.skipped:
        pytest.skip(outcome.detail)
    assert outcome.ok, outcome.detail
