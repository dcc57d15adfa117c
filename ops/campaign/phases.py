"""The campaign's phases: fault batches under random SIGKILLs, bad input, secrets and access.

Each phase returns plain figures (dataclasses) that run.py prints. Nothing here asserts:
a problem is counted and described, so one run reports every problem it meets.
"""
from __future__ import annotations

import contextlib
import io
import json
import logging
import random
import stat
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from shotloop.client import TOKEN_HEADER, AgentAPI
from shotloop.errors import ShotLoopError
from shotloop.model import FrameRange, Job, JobRequest, JobState, Recipe, Resolution, Shot

from .agents import AgentProcess
from .audit import audit_jobs, scan_for
from .badinput import Outcome, Workspace, all_cases, run_case, seed_store
from .faultplan import FAULT_MODES, FaultMode

log = logging.getLogger("shotloop.campaign")

__all__ = ["ModeFigures", "FaultFigures", "run_fault_batches", "run_bad_inputs", "check_access",
           "scan_secrets", "AccessFigures"]


@dataclass
class ModeFigures:
    jobs: int = 0
    as_expected: int = 0
    killed_mid_create: int = 0
    other: list[str] = field(default_factory=list)
    lost: int = 0
    corrupted: int = 0
    extra_creates: int = 0


@dataclass
class FaultFigures:
    jobs: int = 0
    batches: int = 0
    kills: int = 0
    restarts: int = 0
    faults_injected: int = 0
    duplicate_creates: int = 0
    modes: dict[str, ModeFigures] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    all_jobs: list[Job] = field(default_factory=list)
    roots: list[Path] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return sum(m.lost for m in self.modes.values())

    @property
    def corrupted(self) -> int:
        return sum(m.corrupted for m in self.modes.values())

    @property
    def extra_creates(self) -> int:
        return sum(m.extra_creates for m in self.modes.values())


def _latest(api: AgentAPI) -> int:
    return api.events(-1, wait_s=0)[1]  # since=-1: only the newest sequence number


def _wait_events(api: AgentAPI, count: int, deadline_s: float) -> None:
    cursor, seen, end = _latest(api), 0, time.monotonic() + deadline_s
    while seen < count and time.monotonic() < end:
        events, cursor = api.events(cursor, wait_s=min(1.0, max(0.05, end - time.monotonic())))
        seen += len(events)


def _settle(api: AgentAPI, ids: list[str], deadline_s: float) -> list[Job]:
    end = time.monotonic() + deadline_s
    cursor = _latest(api)
    while True:
        jobs = [api.job(j) for j in ids]
        if all(j.state.final or j.state is JobState.SUBMIT_UNKNOWN for j in jobs):
            return jobs
        if time.monotonic() > end:
            return jobs  # the audit reports what did not settle as lost
        _, cursor = api.events(cursor, wait_s=1.0)


def make_plate(folder: Path) -> Shot:
    from shotloop.media.synth import write_exr_plate

    pattern = write_exr_plate(folder / "plate", "plate", 1001, 1024, 160, 90)
    return Shot(name="plate", source=pattern, frame_range=FrameRange(1001, 1024), fps=24.0,
                resolution=Resolution(160, 90))


def _request(plate: Shot, mode: FaultMode, tag: str, root: Path) -> JobRequest:
    shot = Shot(name=tag, source=plate.source, frame_range=plate.frame_range, fps=plate.fps,
                resolution=plate.resolution)
    recipe = Recipe(model="gen4_turbo", prompt=mode.prompt(tag), seed=11, ratio="1280:720", duration=2)
    return JobRequest(shot=shot, recipe=recipe, profile=mode.profile, store_root=str(root))


def _submit(api: AgentAPI, requests_: list[JobRequest]) -> list[str]:
    from shotloop.publish.send import send

    ids: list[str] = [""] * len(requests_)
    for profile in sorted({r.profile for r in requests_}):
        places = [i for i, r in enumerate(requests_) if r.profile == profile]
        for i, result in zip(places, send([requests_[i] for i in places], api, profile=profile)):
            if isinstance(result, ShotLoopError):
                raise result
            ids[i] = result.job_id
    return ids


def _creates_by_tag(service: Any, tags: set[str]) -> Counter:
    counts: Counter = Counter()
    for entry in service.requests(method="POST"):
        if entry["path"] in ("/v1/image_to_video", "/v1/video_to_video", "/v1/text_to_video"):
            body = str(entry.get("body", ""))
            start = body.find("[c")
            if start >= 0:
                tag = body[start + 1:body.find("]", start)]
                if tag in tags:
                    counts[tag] += 1
    return counts


def run_fault_batches(agent: AgentProcess, service: Any, work: Path, *, kills: int,
                      jobs_per_batch: int, rng: random.Random, deadline_s: float) -> FaultFigures:
    """Batches cycling through every fault mode, the agent SIGKILLed at random points
    (after a random number of ledger events, or a random delay) and restarted, until
    ``kills`` kills happened and every mode ran at least once."""
    figures = FaultFigures(modes={m.name: ModeFigures() for m in FAULT_MODES})
    plate = make_plate(work)
    api = agent.api or agent.start()
    fired_before = sum(service.stats()["faults_fired"].values())
    dup_before = service.stats()["duplicate_creates"]
    started = time.monotonic()
    while figures.kills < kills or figures.batches == 0:
        if time.monotonic() - started > deadline_s:
            figures.problems.append(f"stopped after {figures.batches} batches: time is up")
            break
        figures.batches += 1
        root = work / f"store{figures.batches:03d}"
        figures.roots.append(root)
        modes = [FAULT_MODES[(i + figures.batches) % len(FAULT_MODES)] for i in range(jobs_per_batch)]
        for rule in {id(m): m for m in modes if m.rules}.values():
            for made in rule.make_rules():
                service.faults.add(made)
        tags = [f"c{figures.batches:03d}_{i:03d}" for i in range(len(modes))]
        ids = _submit(api, [_request(plate, m, t, root) for m, t in zip(modes, tags)])
        batch_kills = min(kills - figures.kills, rng.randint(3, 8)) if figures.kills < kills else 0
        for _ in range(batch_kills):
            if rng.random() < 0.5:
                _wait_events(api, rng.randint(1, 20), deadline_s=10)
            else:
                end = time.monotonic() + rng.uniform(0.05, 2.0)
                while time.monotonic() < end:  # a random moment, watched through the feed
                    api.events(_latest(api), wait_s=max(0.0, end - time.monotonic()))
            agent.kill()
            figures.kills += 1
            api = agent.start()
            figures.restarts += 1
        jobs = _settle(api, ids, deadline_s=240)
        for job in jobs:
            if job.state is JobState.SUBMIT_UNKNOWN:  # a person decides: here, cancel
                api.cancel(job.job_id)
        jobs = [api.job(j) for j in ids]
        service.faults.clear()
        _score(figures, modes, tags, jobs, root, service)
        log.info("batch %d: %d jobs, %d kills so far", figures.batches, len(jobs), figures.kills)
    figures.faults_injected = sum(service.stats()["faults_fired"].values()) - fired_before
    figures.duplicate_creates = service.stats()["duplicate_creates"] - dup_before
    return figures


def _score(figures: FaultFigures, modes: list[FaultMode], tags: list[str], jobs: list[Job],
           root: Path, service: Any) -> None:
    figures.jobs += len(jobs)
    figures.all_jobs.extend(jobs)
    creates = _creates_by_tag(service, set(tags))
    by_shot = {job.shot.name: job for job in jobs}
    audit = audit_jobs(jobs, [root], deep=True)
    figures.problems.extend(audit.lost + audit.corrupted)
    for kind, problems in (("lost", audit.lost), ("corrupted", audit.corrupted)):
        for problem in problems:  # charge each problem to the mode of the shot it names
            owner = next((m for m, t in zip(modes, tags) if f"{t} (" in problem or f"/{t}/" in problem),
                         modes[0])
            mine = figures.modes[owner.name]
            setattr(mine, kind, getattr(mine, kind) + 1)
    for mode, tag in zip(modes, tags):
        job = by_shot[tag]
        mine = figures.modes[mode.name]
        mine.jobs += 1
        if creates[tag] > mode.creates:
            mine.extra_creates += creates[tag] - mode.creates
            figures.problems.append(f"{tag} ({mode.name}): {creates[tag]} creates")
        expected = {"published": JobState.PUBLISHED, "failed": JobState.FAILED,
                    "submit_unknown": JobState.CANCELLED}[mode.outcome]
        if job.state is expected:
            mine.as_expected += 1
        elif job.state is JobState.CANCELLED and job.error and \
                job.error.get("code") == "create_outcome_unknown":
            mine.killed_mid_create += 1  # killed while its create was on the wire
        else:
            mine.other.append(f"{tag}: {job.state.value} {job.reason[:160]}")


# --------------------------------------------------------------------------- bad input


def run_bad_inputs(ws: Workspace) -> list[Outcome]:
    seed_store(ws)
    outcomes = []
    # pyblish.util prints every failed plugin's error to stdout; the table owns stdout.
    with contextlib.redirect_stdout(io.StringIO()):
        for case in all_cases():
            try:
                outcomes.append(run_case(case, ws))
            except Exception as exc:  # noqa: BLE001 - a broken case is reported, not fatal
                outcomes.append(Outcome(case.name, case.category, False,
                                        f"the case itself broke: {exc!r}"))
    return outcomes


# --------------------------------------------------------------------------- access and secrets


@dataclass
class AccessFigures:
    checks: int = 0
    failures: list[str] = field(default_factory=list)


def check_access(agent: AgentProcess) -> AccessFigures:
    """Loopback only, 401 without the token (five wrong tokens on five routes), token 0600."""
    figures = AccessFigures()
    info = agent.home.read_info() or {}
    url = str(info.get("url", ""))

    def check(ok: bool, what: str) -> None:
        figures.checks += 1
        if not ok:
            figures.failures.append(what)

    check(url.startswith("http://127.0.0.1:"), f"agent url {url} is not on 127.0.0.1")
    token = agent.home.token()
    for label, wrong in (("none", None), ("empty", ""), ("short", token[:-1]), ("long", token + "0"),
                         ("other", "0" * len(token))):
        for method, path in (("GET", "/v1/jobs"), ("GET", "/v1/health"), ("POST", "/v1/jobs"),
                             ("POST", "/v1/shutdown"), ("GET", "/v1/events")):
            headers = {TOKEN_HEADER: wrong} if wrong is not None else {}
            answer = requests.request(method, f"{url}{path}", headers=headers, timeout=10,
                                      json={"jobs": []} if method == "POST" else None)
            check(answer.status_code == 401, f"{method} {path} with {label} token: {answer.status_code}")
    check(agent.alive, "the agent stopped after a refused shutdown")
    mode = stat.S_IMODE(agent.home.token_file.stat().st_mode)
    check(mode == 0o600, f"token file mode {oct(mode)}")
    return figures


def scan_secrets(secret: str, paths: list[Path], jobs: list[Job], events: list[Any]) -> tuple[int, list[str]]:
    """(files scanned, hits) for the key, its hex part and a 32-digit piece of it."""
    texts = {f"job {j.shot.name} error": json.dumps(j.error or {}) for j in jobs}
    texts["events"] = json.dumps([dict(e.payload) for e in events], default=str)
    files = sum(1 for base in paths if base.exists() for p in base.rglob("*") if p.is_file())
    hits: list[str] = []
    for needle in (secret, secret[4:], secret[4:36]):
        hits.extend(scan_for(needle, paths, extra=texts))
    return files, sorted(set(hits))


def all_events(api: AgentAPI) -> list[Any]:
    found, cursor = [], 0
    while True:
        events, cursor2 = api.events(cursor, wait_s=0)
        if not events:
            return found
        found.extend(events)
        cursor = cursor2
