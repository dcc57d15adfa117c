"""The EXR writer pool: bounded in flight (flat memory), errors surface, abort cleans up."""
from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import OpenImageIO as oiio
import pytest

from shotloop.media.exrwrite import WriterPool, write_exr


def test_half_float_rgb_with_compression_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "a.exr"
    pixels = np.linspace(0, 4, 8 * 4 * 3, dtype=np.float32).reshape(4, 8, 3)
    write_exr(path, pixels, compression="zip", attributes={"shotloop:shot": "sh010"})
    image = oiio.ImageInput.open(str(path))
    spec = image.spec()
    back = image.read_image(0, 0, 0, 3, "float")
    image.close()
    assert str(spec.format) == "half" and list(spec.channelnames) == ["R", "G", "B"]
    assert spec.get_string_attribute("compression") == "zip"
    assert spec.get_string_attribute("shotloop:shot") == "sh010"
    assert np.allclose(back, pixels.astype(np.float16).astype(np.float32))


def test_never_more_than_the_window_in_flight(tmp_path: Path) -> None:
    lock = threading.Lock()
    counts = {"finished": 0, "running": 0, "peak_running": 0}
    gate = threading.Semaphore(0)

    def job(index: int) -> None:
        with lock:
            counts["running"] += 1
            counts["peak_running"] = max(counts["peak_running"], counts["running"])
        gate.acquire(timeout=10)  # jobs finish only as the test lets them
        with lock:
            counts["running"] -= 1
            counts["finished"] += 1

    pool = WriterPool(workers=2, window=3)
    outstanding = []
    for i in range(12):
        gate.release()  # let one job finish per submission, so submit has to wait for room
        pool.submit(tmp_path / f"{i}", job, i)
        with lock:
            outstanding.append(i + 1 - counts["finished"])
    for _ in range(12):
        gate.release()
    pool.drain()
    pool.close()
    assert max(outstanding) <= 3 and counts["peak_running"] <= 2 and pool.done == 12


def test_failure_surfaces_and_abort_removes_created_files(tmp_path: Path) -> None:
    def ok(path: Path) -> None:
        path.write_bytes(b"x")

    def bad(path: Path) -> None:
        raise OSError("disk full")

    pool = WriterPool(workers=2, window=4)
    pool.submit(tmp_path / "1", ok, tmp_path / "1")
    pool.submit(tmp_path / "2", bad, tmp_path / "2")
    with pytest.raises(OSError, match="disk full"):
        pool.drain()
    pool.abort()
    assert list(tmp_path.iterdir()) == []
