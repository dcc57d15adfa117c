"""Longest Nuke main-thread stall while 50 ShotLoop jobs are in flight.

Runs the Nuke adapter on the emulated ``nuke`` (tests/nuke_emulation), sends N shots, and plays
Nuke's event loop: the main-thread queue is drained every few milliseconds while the agent
reports the jobs' progress and publishes their versions. Every main-thread callback the
emulation runs is timed; the report gives the longest (target: 16 ms), the 99th percentile and
what the slowest ones were.

    python ops/bench/bench_nuke_stall.py                 # real agent + reference service
    python ops/bench/bench_nuke_stall.py --mode scripted # a scripted agent flooding progress events

``real``: the reference service (unlimited concurrency) and the agent (profile concurrency N)
run as child processes, as in production (the agent never shares Nuke's interpreter); only
Nuke itself is emulated.
``scripted``: the tests' FakeAgentAPI reports progress for every job every ``--tick`` seconds
(a heavier event load than a real agent produces), then publishes every job. The scripted
agent runs in this process, so its EXR writing competes with the main thread for the GIL.
"""
from __future__ import annotations

import argparse
import gc
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
for _p in (ROOT / "tests", ROOT / "tests" / "nuke_emulation", ROOT / "hosts" / "nuke", ROOT / "tests" / "hosts" / "nuke"):
    sys.path.insert(0, str(_p))

TARGET_MS = 16.0


def _plates(folder: Path, count: int, frames: int) -> list[str]:
    from media_fixtures import make_exr_plate

    return [make_exr_plate(folder, f"sh{index:03d}", 1001, 1000 + frames, 64, 36) for index in range(count)]


def _real_agent(work: Path, jobs: int) -> tuple[Callable[[], Any], Callable[[], None], Any]:
    """The reference service and the agent as child processes, as in production: the agent
    never shares Nuke's interpreter (or its GIL)."""
    import subprocess

    from shotloop.agent.home import AgentHome
    from shotloop.client import AgentAPI

    env = dict(os.environ, NO_PROXY="127.0.0.1,localhost", PYTHONPATH=os.pathsep.join(
        [str(ROOT / "ops"), str(ROOT / "plugin"), os.environ.get("PYTHONPATH", "")]))
    env.pop("RUNWAYML_API_SECRET", None)
    children: list[subprocess.Popen] = []

    def stop() -> None:
        for child in children:
            if child.poll() is None:
                child.terminate()
                try:
                    child.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    child.kill()

    service = subprocess.Popen(
        [sys.executable, "-m", "shotloop_refservice.server", "--concurrency", "0", "--pending-s", "0.5",
         "--running-s", "3"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    children.append(service)
    line = service.stdout.readline() if service.stdout else ""
    if " on " not in line:
        stop()
        raise SystemExit(f"reference service did not start: {line!r}")
    url = line.split(" on ", 1)[1].split()[0]
    settings = work / "settings.toml"
    settings.write_text(f"[profiles.reference]\nconcurrency = {jobs}\n", encoding="utf-8")
    home = AgentHome(work / "agent-home")
    agent_env = dict(env, SHOTLOOP_CONFIG=str(settings), SHOTLOOP_HOME=str(home.root))
    log = open(work / "agent.out", "wb")  # noqa: SIM115 - closed with the process
    children.append(subprocess.Popen(
        [sys.executable, "-m", "shotloop.cli", "agent", "--home", str(home.root), "--reference-url", url],
        env=agent_env, stdout=log, stderr=log))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        info = home.read_info()
        if info and info.get("pid") == children[-1].pid:
            api = AgentAPI(info["url"], home.token())
            try:
                api.health()
                return (lambda: api), stop, None
            except Exception:  # noqa: BLE001 - not listening yet
                pass
        time.sleep(0.1)
    stop()
    raise SystemExit(f"the agent did not start; see {work / 'agent.out'}")


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


def run(mode: str, jobs: int, frames: int, tick: float, rounds: int, pump_every: float, timeout: float,
        freeze: bool = False) -> dict:
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
        if freeze:
            gc.freeze()  # what a host can do at startup: older objects leave the full-GC scan
        started = time.perf_counter()
        batch = send_selected(runtime.host(), Recipe(model="gen4_turbo", prompt="bench", duration=2),
                              session=session, nodes=reads)
        send_ms = (time.perf_counter() - started) * 1000
        nuke_fake.pump_timings()  # the send call itself is reported separately
        first_timing = len(nuke_fake.pump_timings())
        gc_passes: list[float] = []
        gc_started: dict[str, float] = {}
        main = threading.current_thread()

        def on_gc(phase: str, info: dict) -> None:
            if info["generation"] != 2 or threading.current_thread() is not main:
                return
            if phase == "start":
                gc_started["t"] = time.perf_counter()
            elif "t" in gc_started:
                gc_passes.append(time.perf_counter() - gc_started.pop("t"))

        gc.callbacks.append(on_gc)
        deadline = time.monotonic() + timeout
        in_flight_peak = 0
        while session.batch_status(batch) != "done" or nuke_fake.pending():
            nuke_fake.pump()
            in_flight_peak = max(in_flight_peak, len(session.awaited_jobs))
            if time.monotonic() > deadline:
                raise SystemExit(f"not done after {timeout:.0f} s: {session.batch_status(batch)}")
            time.sleep(pump_every)
        elapsed = time.perf_counter() - started
        gc.callbacks.remove(on_gc)
        timings = nuke_fake.pump_timings()[first_timing:]
        stacks = len([n for n in nuke.allNodes("Group") if n.knob("shotloop")])
        errors = list(session.errors)
    finally:
        runtime.shutdown()
        stop()
    durations = sorted(t for _, t, _ in timings)
    cpu = sorted(c for _, _, c in timings)
    slowest = sorted(timings, key=lambda item: item[1], reverse=True)[:5]
    return {
        "mode": mode, "jobs": jobs, "in_flight_peak": in_flight_peak, "stacks": stacks, "errors": errors,
        "callbacks": len(durations), "send_ms": send_ms, "elapsed_s": elapsed,
        "max_ms": durations[-1] * 1000 if durations else 0.0,
        "p99_ms": durations[int(0.99 * (len(durations) - 1))] * 1000 if durations else 0.0,
        "median_ms": statistics.median(durations) * 1000 if durations else 0.0,
        "cpu_max_ms": cpu[-1] * 1000 if cpu else 0.0,
        "cpu_p99_ms": cpu[int(0.99 * (len(cpu) - 1))] * 1000 if cpu else 0.0,
        "slowest": [(name, t * 1000, c * 1000) for name, t, c in slowest],
        "gc_passes": len(gc_passes), "gc_max_ms": max(gc_passes, default=0.0) * 1000,
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
    parser.add_argument("--gc-freeze", action="store_true",
                        help="gc.freeze() before sending (objects so far skip full GC passes)")
    args = parser.parse_args()
    result = run(args.mode, args.jobs, args.frames, args.tick, args.rounds, args.pump_every, args.timeout,
                 args.gc_freeze)
    print(f"Nuke main-thread stall, {result['jobs']} jobs in flight (peak awaited {result['in_flight_peak']}), "
          f"mode={result['mode']}{', gc.freeze()' if args.gc_freeze else ''}")
    print(f"  main-thread callbacks run : {result['callbacks']}")
    print(f"  longest callback          : {result['max_ms']:.2f} ms  (target {TARGET_MS:.0f} ms, "
          f"ratio {result['max_ms'] / TARGET_MS:.2f})")
    print(f"  99th percentile / median  : {result['p99_ms']:.2f} ms / {result['median_ms']:.3f} ms")
    print(f"  main-thread CPU per call  : max {result['cpu_max_ms']:.2f} ms, p99 {result['cpu_p99_ms']:.2f} ms "
          f"(wall time above also counts waiting for a core or the GIL)")
    print(f"  cores on this machine     : {os.cpu_count()}")
    print(f"  full (gen-2) GC passes on the main thread: {result['gc_passes']}, longest "
          f"{result['gc_max_ms']:.2f} ms (Python's, counted inside whichever callback triggered it)")
    print(f"  send_selected (user action, collect + queue): {result['send_ms']:.1f} ms")
    print(f"  version stacks loaded     : {result['stacks']}  in {result['elapsed_s']:.1f} s")
    for name, ms, cpu_ms in result["slowest"]:
        print(f"    {ms:7.2f} ms wall {cpu_ms:6.2f} ms CPU  {name}")
    if result["errors"]:
        print(f"  errors: {result['errors'][:3]}")
    return 0 if result["stacks"] == result["jobs"] and not result["errors"] else 1


if __name__ == "__main__":
    sys.exit(main())
