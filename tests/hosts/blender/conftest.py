"""Shared fixtures for the Blender extension tests (real ``bpy`` 5.0 as a Python module).

One bpy session per test process: the extension is registered once (``ext``) and every
test starts from an empty file with the Sequencer scene set (``vse``). In the module
build timers never fire, so tests pump the session's main-thread queue themselves
(``pump``). Skips cleanly where bpy is not installed.
"""
from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

bpy = pytest.importorskip("bpy")

ROOT = Path(__file__).resolve().parents[3]
EXT_DIR = ROOT / "hosts" / "blender"
PACKAGE = "shotloop_blender"

# The ``agent`` fixture (one real agent on the reference service per test session) comes
# from tests/agent_fixture.py through the root conftest.


def load_extension() -> Any:
    """Import hosts/blender as a package (what Blender does with an extension folder)."""
    if PACKAGE in sys.modules:
        return sys.modules[PACKAGE]
    spec = importlib.util.spec_from_file_location(PACKAGE, EXT_DIR / "__init__.py",
                                                  submodule_search_locations=[str(EXT_DIR)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = module
    spec.loader.exec_module(module)
    return module


def submodule(name: str) -> Any:
    load_extension()
    return importlib.import_module(f"{PACKAGE}.{name}")


@pytest.fixture(scope="session")
def ext() -> Iterator[Any]:
    """The registered extension package (unregistered at the end of the session)."""
    package = load_extension()
    package.register()
    yield package
    package.unregister()


def fresh_scene(fps: int = 24, fps_base: float = 1.0) -> Any:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    scene = bpy.context.scene
    bpy.context.workspace.sequencer_scene = scene
    scene.sequence_editor_create()
    scene.render.fps, scene.render.fps_base = fps, fps_base
    scene.render.resolution_x, scene.render.resolution_y = 64, 36
    return scene


@pytest.fixture
def vse(ext: Any) -> Any:
    """An empty file whose scene is the Sequencer scene, 24 fps."""
    return fresh_scene()


@pytest.fixture
def pump() -> Callable[..., Any]:
    """``pump(session, until=predicate, timeout_s=...)``: drive the timer body until the
    predicate holds (deadline; the drain itself never sleeps)."""

    def run(session: Any, until: Callable[[], Any], timeout_s: float = 60.0, what: str = "condition") -> Any:
        deadline = time.monotonic() + timeout_s
        while True:
            session.tick()
            value = until()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} not reached within {timeout_s} s; status: "
                                     f"{list(session.messages)[-3:]}")
            time.sleep(0.01)

    return run


def add_image_strip(scene: Any, name: str, pattern: str, first: int, last: int, *, channel: int,
                    frame_start: int) -> Any:
    """An image-sequence strip of ``pattern`` (####) frames first..last."""
    files = [Path(pattern.replace("####", f"{n:04d}")) for n in range(first, last + 1)]
    strip = scene.sequence_editor.strips.new_image(name=name, filepath=str(files[0]), channel=channel,
                                                   frame_start=frame_start)
    for path in files[1:]:
        strip.elements.append(path.name)
    return strip
