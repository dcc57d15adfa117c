"""Small helpers of the reliability suite (shot and recipe makers come from tests/e2e)."""
from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any, Iterable

from shotloop.client import AgentAPI
from shotloop.errors import ShotLoopError
from shotloop.model import FrameRange, Job, JobRequest, JobState, Shot
from shotloop.publish.send import send
from tests.e2e.test_loop import make_shot, recipe

__all__ = ["make_shot", "recipe", "shot_like", "job_request", "send_all", "wait_settled",
           "events_of", "settled", "latest_cursor", "read_line"]


def shot_like(shot: Shot, name: str) -> Shot:
    """Another shot on the same plate (plates are the slow part to make)."""
    return Shot(name=name, source=shot.source, frame_range=FrameRange(shot.frame_range.first,
                                                                      shot.frame_range.last),
                fps=shot.fps, resolution=shot.resolution, colorspace=shot.colorspace)


def job_request(shot: Shot, root: Path, *, profile: str = "", **recipe_kw: Any) -> JobRequest:
    return JobRequest(shot=shot, recipe=recipe(**recipe_kw), store_root=str(root), profile=profile)


def send_all(api: AgentAPI, requests: Iterable[JobRequest]) -> list[str]:
    """Run the send pass (validation included) per profile; the new job ids, in order."""
    requests = list(requests)
    ids: list[str] = [""] * len(requests)
    for profile in sorted({r.profile for r in requests}):
        places = [i for i, r in enumerate(requests) if r.profile == profile]
        results = send([requests[i] for i in places], api, profile=profile)
        assert not [r for r in results if isinstance(r, ShotLoopError)], results
        for i, job in zip(places, results):
            ids[i] = job.job_id
    return ids


def settled(job: Job) -> bool:
    """Final, or waiting for a person with a reason (a create whose outcome is unknown)."""
    return job.state.final or job.state is JobState.SUBMIT_UNKNOWN


def wait_settled(api: AgentAPI, job_ids: list[str], deadline_s: float = 90.0) -> list[Job]:
    """Wait on the event feed (with a deadline) until every job has settled."""
    end = time.monotonic() + deadline_s
    cursor = latest_cursor(api)
    while True:
        jobs = [api.job(j) for j in job_ids]
        if all(settled(j) for j in jobs):
            return jobs
        if time.monotonic() > end:
            states = {j.shot.name: j.state.value for j in jobs}
            raise AssertionError(f"jobs not settled after {deadline_s} s: {states}")
        _, cursor = api.events(cursor, wait_s=1.0)


def latest_cursor(api: AgentAPI) -> int:
    """The sequence number of the agent's newest event (the feed pages 500 at a time)."""
    return api.events(-1, wait_s=0)[1]  # since=-1: only the newest sequence number


def events_of(api: AgentAPI, job_id: str) -> list[Any]:
    """Every event the agent recorded for one job, oldest first."""
    found, cursor = [], 0
    while True:
        events, last = api.events(cursor, wait_s=0)
        if not events:
            return found
        found.extend(e for e in events if e.job_id == job_id)
        cursor = last


def read_line(proc: "subprocess.Popen[str]", deadline_s: float) -> str:
    """One line of a child's stdout, waiting at most ``deadline_s``."""
    import select

    ready, _, _ = select.select([proc.stdout], [], [], deadline_s)
    if not ready:
        raise AssertionError(f"no output from the child within {deadline_s} s")
    return proc.stdout.readline()
