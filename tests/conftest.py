"""Shared fixtures: the reference service on loopback, free ports, small media files.

``refservice``          one RefService for the whole session (fast timings); its fault
                        rules are cleared before and after every test that uses it.
``refservice_clean``    the same service after a full reset (no tasks, requests, usage).
``make_refservice``     start extra services with other settings; stopped after the test.
``make_png`` / ``make_mp4``  write small test media with known colours.
``wait_until(predicate, timeout_s=10)``  poll until truthy, with a deadline (no fixed sleeps).
``free_port()``         a free TCP port on 127.0.0.1 (plain function, importable).
"""
from __future__ import annotations

import importlib.util
import os
import socket
import time
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pytest

# One real agent per session for every folder that needs it (e2e, hosts, ui, reliability).
pytest_plugins = ["tests.agent_fixture"]

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# Fast phases for tests; the shared service allows more than the tier default of 2 so
# unrelated tests do not queue behind each other.
FAST_TIMINGS: dict[str, Any] = {"pending_s": 0.2, "running_s": 0.5}


def pytest_configure(config: pytest.Config) -> None:
    # Loopback traffic must never go through a proxy (httpx and requests honour these).
    for name in ("NO_PROXY", "no_proxy"):
        present = [p for p in os.environ.get(name, "").split(",") if p]
        os.environ[name] = ",".join(present + [h for h in LOOPBACK_HOSTS if h not in present])


def _legacy_six_importer_compat() -> None:
    """Let pytest import conftest files after pyblish has been imported.

    pyblish-base vendors six 1.10, whose ``sys.meta_path`` importer predates ``find_spec``;
    pytest 9 calls ``find_spec`` on every meta-path finder when it imports a conftest, so
    once any collected module has imported pyblish, later conftest imports fail. Give the
    old importer the ``find_spec`` that six 1.16 added.
    """
    try:
        from pyblish.vendor import six
    except ImportError:
        return
    importer = type(six._importer)
    if hasattr(importer, "find_spec"):
        return

    def find_spec(self: Any, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname in self.known_modules:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    importer.find_spec = find_spec


# At import, not in pytest_configure: conftests named on the command line load before that.
_legacy_six_importer_compat()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def wait_until() -> Callable[..., Any]:
    def wait(predicate: Callable[[], Any], timeout_s: float = 10.0, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout_s
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} not reached within {timeout_s} s")
            time.sleep(0.02)

    return wait


@pytest.fixture(scope="session")
def refservice() -> Iterator[Any]:
    from shotloop_refservice.config import ServiceConfig
    from shotloop_refservice.server import RefService

    with RefService(ServiceConfig(concurrency=4, **FAST_TIMINGS)) as service:
        yield service


@pytest.fixture(autouse=True)
def _refservice_faults_cleared(request: pytest.FixtureRequest) -> Iterator[None]:
    """No fault rule leaks from one test into another."""
    if "refservice" not in request.fixturenames:
        yield
        return
    service = request.getfixturevalue("refservice")
    service.faults.clear()
    yield
    service.faults.clear()


@pytest.fixture
def refservice_clean(refservice: Any) -> Any:
    refservice.reset()
    return refservice


@pytest.fixture
def make_refservice() -> Iterator[Callable[..., Any]]:
    """``make_refservice(concurrency=1, ...)`` -> a started RefService with fast timings."""
    from shotloop_refservice.config import ServiceConfig
    from shotloop_refservice.server import RefService

    started: list[RefService] = []

    def make(**settings: Any) -> RefService:
        service = RefService(ServiceConfig(**{**FAST_TIMINGS, **settings}))
        service.start()
        started.append(service)
        return service

    yield make
    for service in started:
        service.stop()


def _write_frames(path: Path, codec: str, frames: list[np.ndarray], rate: Fraction,
                  pix_fmt: str, options: dict[str, str] | None = None) -> Path:
    import av

    height, width = frames[0].shape[:2]
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=rate, options=options or {})
        stream.width, stream.height, stream.pix_fmt = width, height, pix_fmt
        if codec == "libx264":
            ctx = stream.codec_context
            ctx.colorspace = ctx.color_primaries = ctx.color_trc = ctx.color_range = 1
        for index, rgb in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            if codec == "libx264":
                frame = frame.reformat(format="yuv420p", dst_colorspace="ITU709", dst_color_range="MPEG")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


@pytest.fixture
def make_png(tmp_path: Path) -> Callable[..., Path]:
    """``make_png(name, rgb=(r, g, b), size=(w, h))``: a flat-colour PNG (noise keeps it >512 B)."""

    def make(name: str = "key.png", rgb: tuple[int, int, int] = (200, 40, 90),
             size: tuple[int, int] = (320, 180), noise: bool = True) -> Path:
        width, height = size
        pixels = np.empty((height, width, 3), np.uint8)
        pixels[...] = rgb
        if noise:  # one pixel in a corner per row, so the file is never tiny
            pixels[:, 0, 0] = np.arange(height, dtype=np.uint8)
        return _write_frames(tmp_path / name, "png", [pixels], Fraction(1), "rgb24")

    return make


@pytest.fixture
def make_mp4(tmp_path: Path) -> Callable[..., Path]:
    """``make_mp4(name, frames=12, fps=12, size=(w, h))``: an H.264 clip, frame i has a known colour."""

    def make(name: str = "clip.mp4", frames: int = 12, fps: int = 12,
             size: tuple[int, int] = (160, 96)) -> Path:
        width, height = size
        pictures = []
        for index in range(frames):
            pixels = np.empty((height, width, 3), np.uint8)
            pixels[...] = (40 + 10 * index % 200, 120, 200 - 5 * index % 150)
            pictures.append(pixels)
        return _write_frames(tmp_path / name, "libx264", pictures, Fraction(fps), "yuv420p",
                             {"preset": "ultrafast", "crf": "18"})

    return make
