"""Proxies: an EXR plate range → H.264 MP4 in sRGB at the ratio, within the byte limit."""
from __future__ import annotations

import threading
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import OpenImageIO as oiio
import pytest
from tests.media_fixtures import make_exr_plate, plate_rgb

from shotloop.errors import JobCancelled, PlateInvalid, RecipeInvalid
from shotloop.media.proxy import make_proxy
from shotloop.model import FrameRange, Resolution, Shot


@pytest.fixture(autouse=True)
def _no_ocio_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OCIO", raising=False)


@pytest.fixture
def plate(tmp_path: Path) -> Shot:
    pattern = make_exr_plate(tmp_path / "plate", "sh020", 1001, 1012, 64, 36)
    return Shot("sh020", pattern, FrameRange(1001, 1012), 24000 / 1001, Resolution(64, 36))


def decode(path: Path) -> tuple[list[np.ndarray], Fraction]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="rgb24", src_colorspace="ITU709", dst_colorspace="ITU709")
                  for f in container.decode(stream)]
        return frames, Fraction(stream.average_rate)


def srgb8(rgb: tuple[float, float, float]) -> np.ndarray:
    out = oiio.ImageBufAlgo.colorconvert(oiio.ImageBuf(np.array([[rgb]], np.float32)), "ACEScg",
                                         "sRGB Encoded Rec.709 (sRGB)", False, colorconfig="ocio://default")
    return np.clip(np.array(out.getpixel(0, 0)), 0, 1) * 255


def test_proxy_has_every_frame_at_the_ratio_and_rate(plate: Shot, tmp_path: Path) -> None:
    proxy = make_proxy(plate, "256:144", tmp_path / "p.mp4")
    frames, rate = decode(proxy.path)
    assert len(frames) == 12 and frames[0].shape == (144, 256, 3)
    assert rate == Fraction(24000, 1001) and proxy.fps == pytest.approx(23.976, abs=1e-3)
    # Colour: sRGB of the plate's scene-linear value, within H.264's rounding.
    assert np.abs(frames[0][72, 128].astype(float) - srgb8(plate_rgb(1001, 1001, 1012))).max() <= 4
    assert proxy.bytes == proxy.path.stat().st_size <= 16 * 1024 * 1024
    kinds = [s["step"] for s in proxy.steps]
    assert kinds == ["proxy_source", "fit", "colour", "encode"]
    assert proxy.steps[3]["maxrate"] and proxy.steps[3]["frames"] == 12


def test_sub_range_and_pad(plate: Shot, tmp_path: Path) -> None:
    proxy = make_proxy(plate, "128:128", tmp_path / "p.mp4", fit="pad", frame_range=FrameRange(1003, 1006))
    frames, _ = decode(proxy.path)
    assert len(frames) == 4 and frames[0].shape == (128, 128, 3)
    assert frames[0][5, 64].max() <= 20  # black bar above the 16:9 picture
    assert proxy.frame_range == FrameRange(1003, 1006)


def test_over_the_byte_limit_is_refused_and_removed(plate: Shot, tmp_path: Path) -> None:
    out = tmp_path / "p.mp4"
    with pytest.raises(RecipeInvalid) as err:
        make_proxy(plate, "256:144", out, max_bytes=600)
    assert err.value.shot == "sh020" and not out.exists()


def test_cancel_removes_the_partial_file(plate: Shot, tmp_path: Path) -> None:
    cancel = threading.Event()
    cancel.set()
    out = tmp_path / "p.mp4"
    with pytest.raises(JobCancelled):
        make_proxy(plate, "256:144", out, cancel=cancel)
    assert not out.exists()


def test_missing_frames_are_named(plate: Shot, tmp_path: Path) -> None:
    Path(plate.source.replace("####", "1004")).unlink()
    with pytest.raises(PlateInvalid) as err:
        make_proxy(plate, "256:144", tmp_path / "p.mp4")
    assert "1004" in err.value.problem and err.value.field == "shot.source"


def test_ocio_on_every_frame_when_no_shortcut_exists(tmp_path: Path) -> None:
    from tests.media_fixtures import write_test_ocio_config

    config = write_test_ocio_config(tmp_path / "cfg")
    pattern = make_exr_plate(tmp_path / "plate", "mg", 1, 3, 64, 36, colorspace="mixed_gamma")
    shot = Shot("mg", pattern, FrameRange(1, 3), 24.0, Resolution(64, 36), colorspace="mixed_gamma")
    proxy = make_proxy(shot, "64:36", tmp_path / "p.mp4", config=config, out_colorspace="linear")
    colour = [s for s in proxy.steps if s["step"] == "colour"][0]
    assert colour["method"] == "OCIO on every frame" and colour["to"] == "linear"
    frames, _ = decode(proxy.path)
    want = oiio.ImageBufAlgo.colorconvert(oiio.ImageBuf(np.array([[plate_rgb(1, 1, 3)]], np.float32)),
                                          "mixed_gamma", "linear", False, colorconfig=config)
    assert np.abs(frames[0][18, 32] - np.clip(want.getpixel(0, 0), 0, 1) * 255).max() <= 4
    fast = make_proxy(replace(shot, colorspace="linear"), "64:36", tmp_path / "q.mp4", config=config,
                      out_colorspace="mixed_gamma")
    assert [s for s in fast.steps if s["step"] == "colour"][0]["method"].startswith("3x3 matrix")
