"""100-shot batch against the reference service: submitted, tracked, published; how busy is
the agent while it only waits on the provider?

Starts the reference service and a real agent process on 127.0.0.1, sends N small shots in
one batch, samples the agent's CPU time (from /proc) while every job sits remotely
(PENDING/THROTTLED/RUNNING) and again over the whole run, and prints the figures.

    .venv/bin/python ops/bench/bench_batch.py [--shots 100] [--running-s 20]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "plugin"))
sys.path.insert(0, str(ROOT / "ops"))

from shotloop.agent.home import AgentHome  # noqa: E402
from shotloop.client import AgentAPI  # noqa: E402
from shotloop.media.synth import write_exr_plate  # noqa: E402
from shotloop.model import FrameRange, JobRequest, JobState, Recipe, Resolution, Shot  # noqa: E402
from shotloop.publish.send import send  # noqa: E402
from shotloop_refservice.config import ServiceConfig  # noqa: E402
from shotloop_refservice.server import RefService  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
WAITING = (JobState.SUBMITTED, JobState.RUNNING)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def start_agent(home: Path, project: Path, url: str) -> tuple[subprocess.Popen, AgentAPI]:
    env = dict(os.environ, SHOTLOOP_HOME=str(home), NO_PROXY="127.0.0.1,localhost")
    env.pop("RUNWAYML_API_SECRET", None)
    proc = subprocess.Popen([sys.executable, "-m", "shotloop.cli", "agent", "--home", str(home),
                             "--project", str(project), "--reference-url", url], env=env)
    end = time.monotonic() + 60
    while time.monotonic() < end:
        info = AgentHome(home).read_info()
        if info and info.get("pid") == proc.pid:
            return proc, AgentAPI(info["url"], AgentHome(home).token())
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("the agent did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shots", type=int, default=100)
    parser.add_argument("--running-s", type=float, default=20.0, help="how long each remote task runs")
    parser.add_argument("--sample-s", type=float, default=10.0, help="CPU sampling window while waiting")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="shotloop-bench-batch-") as tmp:
        work = Path(tmp)
        plate = write_exr_plate(work / "plates", "plate", 1001, 1012, 64, 36)
        project = work / "project"
        project.mkdir()
        # One account allowing the whole batch at once: the agent must track 100 remote tasks.
        (project / "shotloop.toml").write_text(
            f"[profiles.reference]\nconcurrency = {args.shots}\npoll_interval_s = 5.0\n")
        service = RefService(ServiceConfig(pending_s=1.0, running_s=args.running_s,
                                           concurrency=args.shots))
        url = service.start()
        proc, api = start_agent(work / "home", project, url)
        try:
            requests = [JobRequest(
                shot=Shot(name=f"b{n:03d}", source=plate, frame_range=FrameRange(1001, 1012), fps=24.0,
                          resolution=Resolution(64, 36)),
                recipe=Recipe(model="gen4_turbo", prompt="batch", seed=n, duration=2),
                store_root=str(work / "store")) for n in range(args.shots)]
            started = time.monotonic()
            cpu_start = cpu_seconds(proc.pid)
            jobs = send(requests, api)
            ids = [j.job_id for j in jobs]
            submitted_s = time.monotonic() - started

            def states() -> list[JobState]:
                return [j.state for j in api.jobs(batch=jobs[0].batch)]

            while not all(s in WAITING or s.final for s in states()):
                time.sleep(0.5)
            all_remote_s = time.monotonic() - started
            cpu0, t0 = cpu_seconds(proc.pid), time.monotonic()
            time.sleep(args.sample_s)
            waiting = sum(1 for s in states() if s in WAITING)
            idle_pct = 100.0 * (cpu_seconds(proc.pid) - cpu0) / (time.monotonic() - t0)
            while not all(s.final for s in states()):
                time.sleep(1.0)
            total_s = time.monotonic() - started
            cpu_total = cpu_seconds(proc.pid) - cpu_start
            final = states()
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            service.stop()
        published = sum(1 for s in final if s is JobState.PUBLISHED)
        print(f"shots sent:                 {len(ids)}")
        print(f"send pass (validate+submit): {submitted_s:6.2f} s")
        print(f"all tasks remote after:      {all_remote_s:6.2f} s")
        print(f"agent CPU while waiting:     {idle_pct:6.2f} % of one core "
              f"({waiting} jobs waiting remotely, {args.sample_s:.0f} s window)")
        print(f"published:                   {published}/{len(ids)} in {total_s:6.1f} s "
              f"(agent CPU {cpu_total:.1f} s in all: prepare, polls, downloads, ingest)")
        return 0 if published == len(ids) else 1


if __name__ == "__main__":
    sys.exit(main())
