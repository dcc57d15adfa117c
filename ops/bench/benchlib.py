"""Helpers shared by the media benchmarks: run a contender as a child process and measure it.

Each contender runs in its own process so its peak memory (ru_maxrss from wait4) and CPU
time are its own. Contenders are run alternately, several times, and the median is kept,
because the machine may be shared.
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float
    peak_mb: float
    inner_s: float | None = None  # what the child timed itself (without interpreter start-up)

    def __str__(self) -> str:
        inner = f"  ({self.inner_s:.2f} s in-process)" if self.inner_s is not None else ""
        return f"{self.wall_s:7.2f} s wall  {self.cpu_s:7.2f} s cpu  {self.peak_mb:7.1f} MB peak{inner}"


def measure(cmd: Sequence[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> Run:
    """Run ``cmd`` to completion; raise if it fails."""
    started = time.perf_counter()
    proc = subprocess.Popen(list(cmd), env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}):\n{out[-2000:]}\n{err[-2000:]}")
    inner = None
    for line in out.splitlines():
        if line.startswith("in-process "):
            inner = float(line.split()[1])
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024.0, inner)


def median_run(runs: list[Run]) -> Run:
    inner = [r.inner_s for r in runs if r.inner_s is not None]
    return Run(statistics.median(r.wall_s for r in runs), statistics.median(r.cpu_s for r in runs),
               max(r.peak_mb for r in runs), statistics.median(inner) if inner else None)


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def oiiotool() -> str:
    return str(Path(sys.executable).with_name("oiiotool"))


def python_child(code: str, *args: str) -> list[str]:
    """A command running ``code`` in a fresh interpreter of this venv (argv[1:] = args)."""
    return [sys.executable, "-c", code, *args]


def clean(folder: Path) -> None:
    if folder.exists():
        for entry in folder.iterdir():
            if entry.is_file():
                entry.unlink()
    folder.mkdir(parents=True, exist_ok=True)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"
