"""Keyframes: real EXR plates with known scene-linear values → sRGB PNGs at the ratio."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import OpenImageIO as oiio
import pytest
from tests.media_fixtures import clip_rgb, make_exr_plate, make_h264_clip, plate_rgb

from shotloop.errors import PlateInvalid, RecipeInvalid
from shotloop.media.keyframes import extract_keyframes
from shotloop.model import FrameRange, KeyframeMode, Resolution, Shot

SRGB = "sRGB Encoded Rec.709 (sRGB)"


@pytest.fixture(autouse=True)
def _no_ocio_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OCIO", raising=False)


def expected_srgb8(rgb: tuple[float, float, float], src: str = "ACEScg", gain: float = 1.0) -> np.ndarray:
    """What OCIO says the 8-bit sRGB value of a scene-linear colour is (independent path)."""
    pixel = np.array([[[c * gain for c in rgb]]], np.float32)
    out = oiio.ImageBufAlgo.colorconvert(oiio.ImageBuf(pixel), src, SRGB, False, colorconfig="ocio://default")
    return np.clip(np.array(out.getpixel(0, 0)), 0, 1) * 255


def read8(path: Path) -> np.ndarray:
    buf = oiio.ImageBuf(str(path))
    spec = buf.spec()
    return buf.get_pixels(oiio.UINT8).reshape(spec.height, spec.width, spec.nchannels)


@pytest.fixture
def plate(tmp_path: Path) -> Shot:
    pattern = make_exr_plate(tmp_path / "plate", "sh010", 1001, 1010, 64, 36)
    return Shot("sh010", pattern, FrameRange(1001, 1010), 24.0, Resolution(64, 36))


def test_first_and_last_at_the_ratio_with_expected_srgb(plate: Shot, tmp_path: Path) -> None:
    keys = extract_keyframes(plate, KeyframeMode.FIRST_LAST, "1280:720", tmp_path / "out")
    assert set(keys.paths) == {"first", "last"}
    for position, frame in (("first", 1001), ("last", 1010)):
        path = keys.paths[position]
        assert path.suffix == ".png" and path.is_file()
        pixels = read8(path)
        assert pixels.shape == (720, 1280, 3)
        want = expected_srgb8(plate_rgb(frame, 1001, 1010))
        assert np.abs(pixels[360, 640] - want).max() <= 1.0, (position, pixels[360, 640], want)
    json.dumps(keys.steps)  # provenance must serialise
    step = keys.steps[0]
    assert step["colour"]["from"] == "ACEScg" and step["colour"]["to"] == SRGB
    assert step["colour"]["config"] == "ocio://default" and step["colour"]["exposure"] == 0.0
    assert step["clamp"] is True and step["fit"]["mode"] == "crop" and step["size"] == [1280, 720]
    assert step["format"] == "png" and step["frame"] == 1001


def test_last_frame_has_negative_srgb_and_is_clamped(plate: Shot, tmp_path: Path) -> None:
    keys = extract_keyframes(plate, KeyframeMode.FIRST_LAST, "960:960", tmp_path)
    last = [s for s in keys.steps if s["position"] == "last"][0]
    assert last["outside_0_1"] > 0  # the plate's last colour is outside sRGB's gamut
    assert read8(keys.paths["last"]).shape == (960, 960, 3)


def test_exposure_is_a_gain_in_scene_linear(plate: Shot, tmp_path: Path) -> None:
    keys = extract_keyframes(plate, KeyframeMode.FIRST, "256:144", tmp_path, exposure=1.0)
    want = expected_srgb8(plate_rgb(1001, 1001, 1010), gain=2.0)
    assert np.abs(read8(keys.paths["first"])[72, 128] - want).max() <= 1.0
    assert keys.steps[0]["colour"]["exposure"] == 1.0


def test_pad_keeps_the_whole_plate_with_black_bars(tmp_path: Path) -> None:
    pattern = make_exr_plate(tmp_path / "sq", "sq", 1, 2, 64, 64)
    shot = Shot("sq", pattern, FrameRange(1, 2), 24.0, Resolution(64, 64))
    keys = extract_keyframes(shot, KeyframeMode.FIRST, "1280:720", tmp_path, fit="pad")
    pixels = read8(keys.paths["first"])
    assert pixels.shape == (720, 1280, 3)
    assert pixels[:, :200].max() == 0 and pixels[:, -200:].max() == 0
    assert np.abs(pixels[360, 640] - expected_srgb8(plate_rgb(1, 1, 2))).max() <= 1.0
    assert keys.steps[0]["fit"]["placement"] == [280, 0, 720, 720]


def test_explicit_frames_and_none_mode(plate: Shot, tmp_path: Path) -> None:
    keys = extract_keyframes(plate, KeyframeMode.FIRST, "256:144", tmp_path, frames=(1005,))
    assert keys.steps[0]["frame"] == 1005
    assert np.abs(read8(keys.paths["first"])[10, 10] - expected_srgb8(plate_rgb(1005, 1001, 1010))).max() <= 1
    assert extract_keyframes(plate, KeyframeMode.NONE, "256:144", tmp_path).paths == {}
    with pytest.raises(RecipeInvalid):
        extract_keyframes(plate, KeyframeMode.FIRST_LAST, "256:144", tmp_path, frames=(1001,))


def test_jpeg_when_the_png_is_over_the_limit(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    folder = tmp_path / "noise"
    folder.mkdir()
    spec = oiio.ImageSpec(256, 144, 3, oiio.HALF)
    path = folder / "n.0001.exr"
    out = oiio.ImageOutput.create(str(path))
    out.open(str(path), spec)
    out.write_image(rng.random((144, 256, 3)).astype(np.float16))
    out.close()
    shot = Shot("noise", str(folder / "n.####.exr"), FrameRange(1, 1), 24.0, Resolution(256, 144))
    big = extract_keyframes(shot, KeyframeMode.FIRST, "256:144", tmp_path / "a")
    assert big.paths["first"].suffix == ".png"
    limit = big.steps[0]["bytes"] - 1
    small = extract_keyframes(shot, KeyframeMode.FIRST, "256:144", tmp_path / "b", max_bytes=limit)
    assert small.paths["first"].suffix == ".jpg" and small.paths["first"].stat().st_size <= limit
    assert small.steps[0]["format"] == "jpeg" and small.steps[0]["quality"] >= 60
    assert not list((tmp_path / "b").glob("*.png"))


def test_movie_plate_in_srgb(tmp_path: Path) -> None:
    movie = make_h264_clip(tmp_path / "plate.mp4", 8, 64, 36, 24)
    shot = Shot("mov", str(movie), FrameRange(1, 8), 24.0, Resolution(64, 36), colorspace="srgb_tx")
    keys = extract_keyframes(shot, KeyframeMode.FIRST_LAST, "64:64", tmp_path)
    assert np.abs(read8(keys.paths["last"])[32, 32].astype(int) - clip_rgb(7)).max() <= 4


def test_errors_name_the_shot_and_field(plate: Shot, tmp_path: Path) -> None:
    from dataclasses import replace

    with pytest.raises(PlateInvalid) as err:
        extract_keyframes(replace(plate, colorspace="ACEScgg"), KeyframeMode.FIRST, "1280:720", tmp_path)
    assert err.value.field == "shot.colorspace" and err.value.shot == "sh010"
    with pytest.raises(RecipeInvalid) as err:
        extract_keyframes(plate, KeyframeMode.FIRST, "wide", tmp_path)
    assert err.value.field == "recipe.ratio"
    (Path(plate.source.replace("####", "1010"))).unlink()
    with pytest.raises(PlateInvalid) as err:
        extract_keyframes(plate, KeyframeMode.FIRST_LAST, "1280:720", tmp_path)
    assert "1010" in err.value.problem


@pytest.mark.parametrize("ext, kind, bits, colorspace", [
    ("dpx", "uint16", 10, "srgb_tx"), ("tif", "uint16", 16, "srgb_tx"), ("png", "uint8", 8, "srgb_tx"),
    ("tif", "float", 32, "ACEScg"),
])
def test_dpx_tiff_png_plates(tmp_path: Path, ext: str, kind: str, bits: int, colorspace: str) -> None:
    value = (0.25, 0.5, 0.75)
    for frame in (1, 2):
        path = tmp_path / f"p.{frame:04d}.{ext}"
        spec = oiio.ImageSpec(32, 16, 3, kind)
        if ext == "dpx":
            spec.attribute("oiio:BitsPerSample", bits)
        out = oiio.ImageOutput.create(str(path))
        assert out.open(str(path), spec), oiio.geterror()
        out.write_image(np.full((16, 32, 3), value, np.float32))
        out.close()
    shot = Shot("fmt", str(tmp_path / f"p.####.{ext}"), FrameRange(1, 2), 24.0, Resolution(32, 16),
                colorspace=colorspace)
    keys = extract_keyframes(shot, KeyframeMode.FIRST, "64:64", tmp_path / "out")
    got = read8(keys.paths["first"])[32, 32]
    want = np.array(value) * 255 if colorspace == "srgb_tx" else expected_srgb8(value)
    assert np.abs(got - want).max() <= 1.5, (ext, got, want)


def test_crop_window_is_centred_on_the_plate(tmp_path: Path) -> None:
    left, right, edge = (0.02, 0.02, 0.02), (0.5, 0.5, 0.5), (4.0, 0.0, 0.0)
    pixels = np.empty((36, 64, 3), np.float32)
    pixels[:, :32], pixels[:, 32:] = left, right
    pixels[:, :8] = edge  # outside the centred 36x36 window: must not show
    path = tmp_path / "split.0001.exr"
    out = oiio.ImageOutput.create(str(path))
    out.open(str(path), oiio.ImageSpec(64, 36, 3, oiio.HALF))
    out.write_image(pixels)
    out.close()
    shot = Shot("split", str(tmp_path / "split.####.exr"), FrameRange(1, 1), 24.0, Resolution(64, 36))
    keys = extract_keyframes(shot, KeyframeMode.FIRST, "128:128", tmp_path / "out")
    image = read8(keys.paths["first"]).astype(float)
    assert keys.steps[0]["fit"]["window"] == [14, 0, 36, 36]
    assert np.abs(image[64, 10] - expected_srgb8(left)).max() <= 1
    assert np.abs(image[64, 118] - expected_srgb8(right)).max() <= 1
    assert (image[:, :, 0] - image[:, :, 1]).max() < 10  # the bright red edge was cropped away
