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


# --------------------------------------------------------------------------- beyond the catalogue

HOSTILE_NAMES = ["../sh010", "..", ".", "", "sh/010", "sh\\010", "/etc", "C:", "sh010\x00",
                 ".staging", "CON", "nul.txt", "sh 010", "sh010.", "a" * 129, "sh\u2215010",
                 "\u202esh010", "~root"]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=range(len(HOSTILE_NAMES)))
def test_no_hostile_name_becomes_a_path_in_the_version_store(name, tmp_path):
    from shotloop.errors import NameInvalid
    from shotloop.store.names import safe_name
    from shotloop.store.versions import VersionStore

    with pytest.raises(NameInvalid) as info:
        safe_name(name, field="shot.name", shot=name)
    assert info.value.field == "shot.name" and "shot.name" in info.value.message
    store = VersionStore(tmp_path / "store")
    for shot, label in ((name, "gen"), ("sh010", name)):
        with pytest.raises(NameInvalid):
            store.reserve(shot, label, "job-1")
    assert not (tmp_path / "store").exists() or not any((tmp_path / "store").rglob("*"))
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["store"])


def test_a_server_named_output_never_becomes_a_local_path(tmp_path):
    from shotloop.providers import load_provider
    from shotloop.settings import Profile

    from ops.campaign.hostile import Answer

    with HostileServer() as server:
        server.route("GET", "/_out/*", Answer(200, b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 4000,
                                              {"Content-Type": "video/mp4"}))
        provider = load_provider(Profile(name="names", base_url=server.url, key="dev"))
        try:
            dest = tmp_path / "work" / "output.mp4"
            for name in ("..%2F..%2Fescaped.mp4", "%2Fetc%2Fescaped.mp4", "take.mp4%00.sh",
                         "..%5C..%5Cescaped.mp4"):
                got = provider.fetch(f"{server.url}/_out/{name}?_jwt=signed", dest, max_bytes=1 << 20)
                assert got.path == dest and "_jwt" not in got.url
        finally:
            provider.close()
    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert files == ["work/output.mp4"]


def test_an_output_over_the_download_cap_fails_the_job_without_a_version(rel_agent, rel_service, tmp_path):
    from ops.campaign.audit import audit_jobs
    from shotloop.model import JobState

    from .helpers import job_request, make_shot, send_all, wait_settled

    root = tmp_path / "shotloop"
    (job_id,) = send_all(rel_agent.api, [job_request(make_shot(tmp_path, "capped"), root,
                                                     profile="capped", prompt="orb [capped]")])
    (job,) = wait_settled(rel_agent.api, [job_id])
    assert job.state is JobState.FAILED and job.error["code"] == "download_failed"
    assert job.error["retryable"] is False and "cap" in job.reason and job.error["field"] == "output"
    gets = [r for r in rel_service.requests(method="GET")
            if r["path"].startswith("/_out/") and job.remote_task_id in r["path"]]
    assert len(gets) == 1  # not fetched again: a bigger file will not shrink
    assert audit_jobs([job], [root]).ok and not (root / "capped").exists()
    assert not list((rel_agent.home / "work" / job_id).glob("*.part"))
