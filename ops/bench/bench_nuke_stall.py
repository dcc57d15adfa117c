"""Longest Nuke main-thread stall while 50 ShotLoop jobs are in flight.

Runs the Nuke adapter on the emulated ``nuke`` (tests/nuke_emulation), sends N shots, and plays
Nuke's event loop: the main-thread queue is drained every few milliseconds while the agent
reports the jobs' progress and publishes their versions. Every main-thread callback the
emulation runs is timed; the report gives the longest (target: 16 ms), the 99th percentile and
what the slowest ones were.

    python ops/bench/bench_nuke_stall.py                 # real agent + reference service
    python ops/bench/bench_nuke_stall.py --mode scripted # a scripted agent flooding progress events

``real``: the reference service (unlimited concurrency) and the agent (profile concurrency N)
run in this process, as the test fixtures do; everything else is the production code path.
``scripted``: the tests' FakeAgentAPI reports progress for every job every ``--tick`` seconds
(a heavier event load than a real agent produces), then publishes every job.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]
for _p in (ROOT, ROOT / "tests" / "nuke_emulation", ROOT / "hosts" / "nuke", ROOT / "tests" / "hosts" / "nuke"):
    sys.path.insert(0, str(_p))

TARGET_MS = 16.0


def _plates(folder: Path, count: int, frames: int) -> list[str]:
    from tests.media_fixtures import make_exr_plate

    return [make_exr_plate(folder, f"sh{index:03d}", 1001, 1000 + frames, 64, 36) for index in range(count)]


def _real_agent(work: Path, jobs: int) -> tuple[Callable[[], Any], Callable[[], None], Any]:
    from shotloop.agent.home import AgentHome
    from shotloop.agent.resources import override_profile
    from shotloop.agent.server import start_agent
    from shotloop.settings import load_settings
    from shotloop_refservice.config import ServiceConfig
    from shotloop_refservice.server import RefService

    service = RefService(ServiceConfig(concurrency=0, pending_s=0.5, running_s=3.0))
    service.start()
    home = work / "agent-home"
    os.environ["SHOTLOOP_HOME"] = str(home)
    settings = override_profile(load_settings(env={}), "reference", base_url=service.url, concurrency=jobs)
    running = start_agent(AgentHome(home), settings=settings)
    api = running.api()

    def stop() -> None:
        running.stop()
        service.stop()

    return (lambda: api), stop, None


def _scripted_agent(jobs: int, tick: float, rounds: int) -> tuple[Callable[[], Any], Callable[[], None], Any]:
    from fake_agent import FakeAgentAPI

    from shotloop.model import JobState

    api = FakeAgentAPI()
    stop_flag = threading.Event()

    def drive() -> None:
        while len(api.jobs()) < jobs and not stop_flag.is_set():
            stop_flag.wait(0.01)
        ids = [j.job_id for j in api.jobs()]
        for step in range(1, rounds + 1):
            random.shuffle(ids)
            for job_id in ids:
                api.progress(job_id, step / (rounds + 1), state=JobState.UPLOADING if step == 1 else None)
            if stop_flag.wait(tick):
                return
        for job_id in ids:
            api.publish(job_id)

    thread = threading.Thread(target=drive, daemon=True)
    thread.start()
    return (lambda: api), stop_flag.set, thread


def run(mode: str, jobs: int, frames: int, tick: float, rounds: int, pump_every: float, timeout: float) -> dict:
    import nuke
    import nuke_fake

    from shotloop.model import Recipe
    from shotloop_nuke import runtime
    from shotloop_nuke.send import send_selected
    from shotloop_nuke.session import NukeSession

    work = Path(tempfile.mkdtemp(prefix="shotloop-nuke-stall-"))
    nuke_fake.reset(gui=True)
    connect, stop, _ = (_real_agent(work, jobs) if mode == "real" else _scripted_agent(jobs, tick, rounds))
    try:
        runtime.install()
        session = NukeSession(runtime.host(), connect=connect)
        runtime.use_session(session)
        reads = [nuke.nodes.Read(file=p, first=1001, last=1000 + frames) for p in _plates(work / "plates", jobs, frames)]
        nuke.scriptSaveAs(str(work / "comp.nk"), overwrite=1)
        started = time.perf_counter()
        batch = send_selected(runtime.host(), Recipe(model="gen4_turbo", prompt="bench", duration=2),
                              session=session, nodes=reads)
        send_ms = (time.perf_counter() - started) * 1000
        nuke_fake.pump_timings()  # the send call itself is reported separately
        first_timing = len(nuke_fake.pump_timings())
        deadline = time.monotonic() + timeout
        in_flight_peak = 0
        while session.batch_status(batch) != "done" or nuke_fake.pending():
            nuke_fake.pump()
            in_flight_peak = max(in_flight_peak, len(session.awaited_jobs))
            if time.monotonic() > deadline:
                raise SystemExit(f"not done after {timeout:.0f} s: {session.batch_status(batch)}")
            time.sleep(pump_every)
        elapsed = time.perf_counter() - started
        timings = nuke_fake.pump_timings()[first_timing:]
        stacks = len([n for n in nuke.allNodes("Group") if n.knob("shotloop")])
        errors = list(session.errors)
    finally:
        runtime.shutdown()
        stop()
    durations = sorted(t for _, t in timings)
    slowest = sorted(timings, key=lambda item: item[1], reverse=True)[:5]
    return {
        "mode": mode, "jobs": jobs, "in_flight_peak": in_flight_peak, "stacks": stacks, "errors": errors,
        "callbacks": len(durations), "send_ms": send_ms, "elapsed_s": elapsed,
        "max_ms": durations[-1] * 1000 if durations else 0.0,
        "p99_ms": durations[int(0.99 * (len(durations) - 1))] * 1000 if durations else 0.0,
        "median_ms": statistics.median(durations) * 1000 if durations else 0.0,
        "slowest": [(name, t * 1000) for name, t in slowest],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=("real", "scripted"), default="real")
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--frames", type=int, default=24)
    parser.add_argument("--tick", type=float, default=0.05, help="scripted: seconds between progress rounds")
    parser.add_argument("--rounds", type=int, default=40, help="scripted: progress reports per job")
    parser.add_argument("--pump-every", type=float, default=0.004, help="seconds between event-loop turns")
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()
    result = run(args.mode, args.jobs, args.frames, args.tick, args.rounds, args.pump_every, args.timeout)
    print(f"Nuke main-thread stall, {result['jobs']} jobs in flight (peak awaited {result['in_flight_peak']}), "
          f"mode={result['mode']}")
    print(f"  main-thread callbacks run : {result['callbacks']}")
    print(f"  longest callback          : {result['max_ms']:.2f} ms  (target {TARGET_MS:.0f} ms, "
          f"ratio {result['max_ms'] / TARGET_MS:.2f})")
    print(f"  99th percentile / median  : {result['p99_ms']:.2f} ms / {result['median_ms']:.3f} ms")
    print(f"  send_selected (user action, collect + queue): {result['send_ms']:.1f} ms")
    print(f"  version stacks loaded     : {result['stacks']}  in {result['elapsed_s']:.1f} s")
    for name, ms in result["slowest"]:
        print(f"    {ms:7.2f} ms  {name}")
    if result["errors"]:
        print(f"  errors: {result['errors'][:3]}")
    return 0 if result["stacks"] == result["jobs"] and not result["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
