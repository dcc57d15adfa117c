"""Pure rules of the Blender adapter: numbering, take placement, channels, colour names, the
main-thread queue's budget. No Blender data is touched (bpy is imported by the conftest)."""
from __future__ import annotations

import threading

import pytest

from shotloop.errors import ShotLoopError

from .conftest import submodule

frames = submodule("frames")
colour = submodule("colour")
dispatch = submodule("dispatch")


@pytest.mark.parametrize("name, expected", [
    ("plate.1001.exr", ("plate.", 1001, 4, ".exr", "plate.####.exr")),
    ("sh010_v002_00017.png", ("sh010_v002_", 17, 5, ".png", "sh010_v002_%05d.png")),
    ("frame7.tif", ("frame", 7, 1, ".tif", "frame%01d.tif")),
])
def test_split_numbered(name, expected):
    n = frames.split_numbered(name)
    assert (n.head, n.number, n.padding, n.tail, n.pattern()) == expected


def test_split_numbered_refuses_unnumbered():
    assert frames.split_numbered("still.exr") is None


def test_frame_file_patterns():
    assert frames.frame_file("/v/sh010_gen_v003.####.exr", 1001) == "/v/sh010_gen_v003.1001.exr"
    assert frames.frame_file("/v/a.%05d.exr", 7) == "/v/a.00007.exr"
    assert frames.frame_file("/v/clip.mov", 7) == "/v/clip.mov"


def test_take_lands_where_the_plate_shows_its_frames():
    # Cut shows plate frames 1003..1017 at timeline 3..17; the take has 8-frame handles.
    p = frames.place_take(edit_start=3, edit_end=18, source_first=1003, take_first=995, take_count=31)
    assert (p.frame_start, p.final_start, p.final_end, p.aligned) == (-5, 3, 18, True)


def test_short_take_never_overhangs_the_cut():
    p = frames.place_take(edit_start=100, edit_end=124, source_first=1001, take_first=1001, take_count=10)
    assert (p.frame_start, p.final_start, p.final_end) == (100, 100, 110)


def test_unrelated_numbering_is_placed_first_to_first():
    p = frames.place_take(edit_start=100, edit_end=124, source_first=0, take_first=1001, take_count=24)
    assert (p.frame_start, p.final_start, p.final_end, p.aligned) == (100, 100, 124, False)


def test_free_channel_skips_busy_ranges():
    busy = {2: [(1, 25)], 3: [(30, 40)]}
    assert frames.free_channel(busy, 1, 25, lowest=2) == 3
    assert frames.free_channel(busy, 30, 35, lowest=2) == 2
    with pytest.raises(ValueError):
        frames.free_channel({c: [(0, 10)] for c in range(1, 129)}, 0, 10, lowest=1)


def test_timecode():
    assert frames.timecode(86400 + 25, 24.0) == "01:00:01:01"
    assert frames.timecode(30, 24000 / 1001) == "00:00:01:06"


def test_colour_names_map_both_ways(monkeypatch):
    monkeypatch.delenv("OCIO", raising=False)
    assert colour.to_agent("Linear Rec.709") == "Linear Rec.709 (sRGB)"
    assert colour.to_agent("sRGB") == "sRGB Encoded Rec.709 (sRGB)"
    assert colour.to_agent("ACEScg") == "ACEScg"
    assert colour.to_blender("ACEScg") == "ACEScg"
    assert colour.to_blender("lin_ap1") == "ACEScg"
    assert colour.to_blender("sRGB Encoded Rec.709 (sRGB)") == "sRGB"
    assert colour.host_config() == ""
    monkeypatch.setenv("OCIO", "/studio/config.ocio")
    assert colour.to_agent("Linear Rec.709") == "Linear Rec.709"
    assert colour.host_config() == "/studio/config.ocio"


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_drain_stops_at_the_budget_and_resumes():
    clock = _Clock()
    q = dispatch.MainThreadQueue(budget_s=0.008, clock=clock)
    ran = []

    def work(i: int) -> None:
        ran.append(i)
        clock.now += 0.003  # each callback takes 3 ms

    for i in range(10):
        q.post(lambda i=i: work(i))
    assert q.drain() == 3  # 3 + 3 + 3 ms: over 8 ms after the third
    assert q.tick() == dispatch.BUSY_INTERVAL_S
    assert ran == list(range(6))
    while q.pending():
        q.drain()
    assert ran == list(range(10)) and q.tick() == dispatch.IDLE_INTERVAL_S


def test_callback_errors_reach_the_panel_not_blender():
    seen = []
    q = dispatch.MainThreadQueue(on_error=seen.append)
    q.post(lambda: (_ for _ in ()).throw(ShotLoopError("agent said no", shot="sh010")))
    q.post(lambda: 1 / 0)
    q.post(lambda: seen.append("still running"))
    q.drain(budget_s=60.0)  # all three in one go (logging the traceback may take a while)
    assert [getattr(s, "message", s) for s in seen][0] == "sh010: agent said no"
    assert "ZeroDivisionError" in seen[1].message and seen[2] == "still running"


def test_post_is_safe_from_threads():
    q = dispatch.MainThreadQueue()
    ran = []
    threads = [threading.Thread(target=lambda i=i: [q.post(lambda: ran.append(i)) for _ in range(100)])
               for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    while q.pending():
        q.drain()
    assert len(ran) == 400
