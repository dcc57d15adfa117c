"""Bad input, case by case: each with the error it must produce and proof that nothing
changed on disk and nothing was sent.

A ``BadInput`` prepares its input in a folder of its own, then ``attempt`` feeds it to
ShotLoop the way a person or a server would (the send pass, the CLI, the agent's API, a
provider call, a cut reader, the version store). ``run_case`` checks:

* a ``ShotLoopError`` of the expected class came out (a send pass's single validation
  problem is unwrapped), naming the expected field, and the shot when one applies, in
  its one-line message;
* no file changed under the workspace (inputs, the version store with its published
  take), the agent holds no new job (or, for ``via_agent`` cases, exactly one FAILED job
  that never reached the service), and the reference service saw no create.

The cases live in bad_shots.py, bad_files.py and bad_services.py; ``CASES`` holds them all.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from shotloop.client import AgentAPI
from shotloop.errors import ShotLoopError
from shotloop.model import FrameRange, Job, JobRequest, Recipe, Resolution, Shot

from .audit import snapshot
from .hostile import HostileServer

__all__ = ["BadInput", "Workspace", "Outcome", "run_case", "all_cases", "good_recipe",
           "plate_shot", "settle", "seed_store"]

CREATE_ROUTES = ("POST /v1/image_to_video", "POST /v1/video_to_video", "POST /v1/text_to_video")


@dataclass
class Workspace:
    """Where the cases run. ``service`` is the reference service the agent's default
    profile uses; ``tiny`` a small filesystem (None when none can be mounted)."""

    dir: Path
    store: Path
    api: AgentAPI
    token: str  # the agent's token, for raw requests to its API
    service: Any
    hostile: HostileServer
    tiny: Path | None = None
    _plate: Shot | None = None

    def plate(self) -> Shot:
        """A complete, good plate: 24 frames of 64x36 half-float EXR (made once)."""
        if self._plate is None:
            from shotloop.media.synth import write_exr_plate

            pattern = write_exr_plate(self.dir / "plate", "plate", 1001, 1024, 64, 36)
            self._plate = Shot(name="plate", source=pattern, frame_range=FrameRange(1001, 1024),
                               fps=24.0, resolution=Resolution(64, 36), colorspace="ACEScg")
        return self._plate


@dataclass(frozen=True)
class BadInput:
    name: str
    category: str
    error: type[ShotLoopError]
    field: str
    shot: str | None
    attempt: Callable[[Workspace, Path], Any]
    prepare: Callable[[Workspace, Path], None] | None = None
    needs: str = ""  # "tiny": needs Workspace.tiny
    via_agent: bool = False  # the agent takes the job and fails it before sending anything
    cleanup: Callable[[Workspace, Path], None] | None = None  # after the checks


@dataclass(frozen=True)
class Outcome:
    name: str
    category: str
    ok: bool
    detail: str = ""
    skipped: bool = False
    seconds: float = 0.0


def good_recipe(**changes: Any) -> Recipe:
    data: dict[str, Any] = dict(model="gen4_turbo", prompt="an orb over the sea", seed=7,
                                ratio="1280:720", duration=2)
    data.update(changes)
    return Recipe(**data)


def plate_shot(ws: Workspace, name: str, **changes: Any) -> Shot:
    plate = ws.plate()
    data: dict[str, Any] = dict(name=name, source=plate.source, frame_range=plate.frame_range,
                                fps=plate.fps, resolution=plate.resolution,
                                colorspace=plate.colorspace)
    data.update(changes)
    return Shot(**data)


def settle(api: AgentAPI, job_id: str, deadline_s: float = 60.0) -> Job:
    end = time.monotonic() + deadline_s
    cursor = 0
    while True:
        job = api.job(job_id)
        if job.state.final:
            return job
        if time.monotonic() > end:
            raise TimeoutError(f"job {job_id} still {job.state.value} after {deadline_s} s")
        _, cursor = api.events(cursor, wait_s=0.5)


def send_one(ws: Workspace, shot: Shot, recipe: Recipe | None = None) -> Any:
    """The host's send pass for one shot; returns what the agent answered."""
    from shotloop.publish.send import send

    request = JobRequest(shot=shot, recipe=recipe or good_recipe(), store_root=str(ws.store))
    return send([request], ws.api)


def send_and_fail(ws: Workspace, shot: Shot, recipe: Recipe | None = None) -> None:
    """Send; the agent takes the job, so wait for it and raise the error it failed with."""
    (job,) = send_one(ws, shot, recipe)
    if isinstance(job, ShotLoopError):
        raise job
    job = settle(ws.api, job.job_id)
    if job.error:
        raise ShotLoopError.from_dict(dict(job.error))
    raise AssertionError(f"the agent took {shot.name} and ended it {job.state.value} without an error")


def seed_store(ws: Workspace) -> Job:
    """Publish one good take into the workspace's store, so the cases run next to a
    published version they must leave alone."""
    (job,) = send_one(ws, plate_shot(ws, "kept010"))
    if isinstance(job, ShotLoopError):
        raise job
    job = settle(ws.api, job.job_id)
    if job.state.value != "PUBLISHED":
        raise RuntimeError(f"the seed take did not publish: {job.reason}")
    return job


def _unwrap(err: ShotLoopError) -> ShotLoopError:
    errors = getattr(err, "errors", None)
    if errors and len(errors) == 1:
        return errors[0]
    return err


def _creates(service: Any) -> int:
    routes = service.stats()["requests_by_route"]
    return sum(routes.get(route, 0) for route in CREATE_ROUTES)


def _check_error(case: BadInput, err: ShotLoopError) -> str:
    if not isinstance(err, case.error):
        return f"raised {type(err).__name__} ({err.message[:160]}), expected {case.error.__name__}"
    if err.field != case.field:
        return f"field {err.field!r}, expected {case.field!r} ({err.message[:160]})"
    if case.field not in err.message:
        return f"the message does not name the field: {err.message[:160]}"
    if case.shot is not None and (err.shot != case.shot or not err.message.startswith(f"{case.shot}:")):
        return f"shot {err.shot!r}, expected {case.shot!r} ({err.message[:160]})"
    return ""


def run_case(case: BadInput, ws: Workspace) -> Outcome:
    started = time.monotonic()
    if case.needs == "tiny" and ws.tiny is None:
        return Outcome(case.name, case.category, True, "no tiny filesystem here", skipped=True)
    folder = ws.dir / "cases" / case.name
    folder.mkdir(parents=True, exist_ok=True)
    if case.prepare is not None:
        case.prepare(ws, folder)
    watched = [ws.dir, ws.store] + ([ws.tiny] if ws.tiny is not None else [])
    before = snapshot(*watched)
    jobs_before = {j.job_id for j in ws.api.jobs()}
    creates_before = _creates(ws.service)
    problem = ""
    try:
        case.attempt(ws, folder)
        problem = "no error was raised"
    except ShotLoopError as raised:
        problem = _check_error(case, _unwrap(raised))
    except Exception as exc:  # noqa: BLE001 - a raw exception is exactly what we look for
        problem = f"raw {type(exc).__name__}: {str(exc)[:200]}"
    after = snapshot(*watched)
    if after != before:
        changed = sorted(set(after.items()) ^ set(before.items()))
        problem = problem or f"changed on disk: {[name for name, _ in changed][:4]}"
    new_jobs = [j for j in ws.api.jobs() if j.job_id not in jobs_before]
    if case.via_agent:
        sent = [j for j in new_jobs if j.remote_task_id or "create_started" in j.details]
        if len(new_jobs) != 1 or new_jobs[0].state.value != "FAILED" or sent:
            problem = problem or f"expected one FAILED job that sent nothing, got {new_jobs}"
    elif new_jobs:
        problem = problem or f"the agent took {len(new_jobs)} job(s)"
    if _creates(ws.service) != creates_before:
        problem = problem or "a create request reached the service"
    if case.cleanup is not None:
        case.cleanup(ws, folder)
    return Outcome(case.name, case.category, not problem, problem,
                   seconds=time.monotonic() - started)


def all_cases() -> list[BadInput]:
    from .bad_files import CASES as FILE_CASES
    from .bad_services import CASES as SERVICE_CASES
    from .bad_shots import CASES as SHOT_CASES

    cases = [*SHOT_CASES, *FILE_CASES, *SERVICE_CASES]
    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "bad-input case names must be unique"
    return cases
