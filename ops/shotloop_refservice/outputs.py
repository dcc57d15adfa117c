"""Rendered outputs: rendered once per distinct spec on a worker thread, cached on disk."""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from .render import RenderSpec, render

log = logging.getLogger(__name__)


class OutputCache:
    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._lock = threading.Lock()
        self._jobs: dict[str, Future[Path]] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="refservice-render")
        self._seconds: list[float] = []

    def ensure(self, spec: RenderSpec) -> Future[Path]:
        """The (possibly finished) render of ``spec``; starts it on first request."""
        key = spec.key()
        with self._lock:
            job = self._jobs.get(key)
            if job is None or (job.done() and job.exception() is not None):
                job = self._pool.submit(self._render, spec, self._folder / f"{key}.mp4")
                self._jobs[key] = job
            return job

    def _render(self, spec: RenderSpec, out: Path) -> Path:
        if out.exists():
            return out
        self._folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        render(spec, out)
        elapsed = time.perf_counter() - started
        with self._lock:
            self._seconds.append(elapsed)
        log.info("rendered %s %dx%d x%d frames in %.2f s", spec.kind, spec.width, spec.height,
                 spec.frames, elapsed)
        return out

    def stats(self) -> dict[str, float | int]:
        with self._lock:
            seconds = list(self._seconds)
        return {"renders": len(seconds), "render_seconds_total": round(sum(seconds), 3),
                "render_seconds_max": round(max(seconds, default=0.0), 3)}

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
