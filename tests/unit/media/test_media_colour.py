"""OCIO config choice, colour space names and the OCIO-derived fast path."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import OpenImageIO as oiio
import pytest

from shotloop.errors import PlateInvalid, SettingsInvalid
from shotloop.media.colour import SRGB, check_colorspace, colorspace_names, resolve_config
from shotloop.media.fastpath import TOLERANCE, derive, derive_display
from tests.media_fixtures import write_test_ocio_config

@pytest.fixture
def studio_config(tmp_path: Path) -> str:
    return write_test_ocio_config(tmp_path)


@pytest.fixture(autouse=True)
def _no_ocio_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OCIO", raising=False)


def _oiio_convert(pixels: np.ndarray, src: str, dst: str, config: str = "ocio://default") -> np.ndarray:
    buf = oiio.ImageBufAlgo.colorconvert(oiio.ImageBuf(pixels.astype(np.float32)), src, dst, False,
                                         colorconfig=config)
    return buf.get_pixels(oiio.FLOAT).reshape(pixels.shape)


def test_builtin_config_by_default() -> None:
    assert resolve_config(None) == "ocio://default"
    assert resolve_config("") == "ocio://default"


def test_host_config_wins_then_env(studio_config: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_config(studio_config) == str(Path(studio_config).resolve())
    monkeypatch.setenv("OCIO", studio_config)
    assert resolve_config(None) == str(Path(studio_config).resolve())
    assert resolve_config("ocio://default") == "ocio://default"


def test_missing_config_is_a_settings_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsInvalid) as err:
        resolve_config(str(tmp_path / "nope.ocio"))
    assert err.value.field == "ocio.config" and "does not exist" in err.value.problem and err.value.fix


def test_broken_config_is_a_settings_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ocio"
    bad.write_text("ocio_profile_version: 2\ncolorspaces: [oops\n")
    with pytest.raises(SettingsInvalid):
        resolve_config(str(bad))


@pytest.mark.parametrize("name, canonical", [
    ("ACEScg", "ACEScg"), ("acescg", "ACEScg"), ("lin_ap1", "ACEScg"), ("scene_linear", "ACEScg"),
    ("srgb_tx", SRGB), ("sRGB - Texture", SRGB), (SRGB, SRGB),
])
def test_names_aliases_and_roles_resolve_to_canonical(name: str, canonical: str) -> None:
    assert check_colorspace("ocio://default", name, shot="sh010", field="shot.colorspace") == canonical


def test_unknown_colorspace_names_shot_field_and_close_matches() -> None:
    with pytest.raises(PlateInvalid) as err:
        check_colorspace("ocio://default", "ACEScgg", shot="sh010", field="shot.colorspace")
    assert err.value.shot == "sh010" and err.value.field == "shot.colorspace"
    assert "ACEScg" in err.value.fix


def test_studio_config_names(studio_config: str) -> None:
    config = resolve_config(studio_config)
    assert colorspace_names(config) == ["raw", "linear", "srgb_test", "mixed_gamma"]
    assert check_colorspace(config, "lin_test", shot=None, field="f") == "linear"
    with pytest.raises(PlateInvalid):
        check_colorspace(config, "ACEScg", shot=None, field="f")


@pytest.mark.parametrize("bits", [8, 10, 16])
def test_fast_path_matches_ocio_within_tolerance(bits: int) -> None:
    fast = derive("ocio://default", SRGB, "ACEScg", bits)
    assert fast is not None and fast.max_error <= TOLERANCE
    top = (1 << bits) - 1
    rng = np.random.default_rng(bits)
    codes = rng.integers(0, top + 1, (64, 96, 3))
    codes[0, :3] = [[0, 0, 0], [top, top, top], [top // 2, 0, top]]
    dtype = np.uint8 if bits == 8 else np.uint16
    expected = _oiio_convert(codes / top, SRGB, "ACEScg")  # OCIO itself, independently of derive
    got = fast.apply(codes.astype(dtype))
    assert got.dtype == np.float32 and got.shape == codes.shape
    assert np.max(np.abs(got - expected)) <= TOLERANCE


def test_fast_path_is_refused_when_the_transform_is_not_curve_then_matrix(studio_config: str) -> None:
    config = resolve_config(studio_config)
    assert derive(config, "srgb_test", "linear", 8) is not None
    assert derive(config, "linear", "mixed_gamma", 8) is None  # matrix then curve: not our shape


def test_display_fast_path_matches_ocio_within_tolerance() -> None:
    fast = derive_display("ocio://default", "ACEScg", SRGB)
    assert fast is not None and fast.max_error <= TOLERANCE
    rng = np.random.default_rng(5)
    linear = rng.uniform(-0.1, 3.0, (48, 64, 3)).astype(np.float32)
    linear[0, :4] = [[0, 0, 0], [1, 1, 1], [0.18, 0.18, 0.18], [20, 0.5, 0.001]]
    expected = np.clip(_oiio_convert(linear, "ACEScg", SRGB), 0, 1)
    got = fast.apply(linear) / 65535.0
    assert np.max(np.abs(got - expected)) <= TOLERANCE
    halves = linear.astype(np.float16)  # plates are read as half floats
    expected_half = np.clip(_oiio_convert(halves.astype(np.float32), "ACEScg", SRGB), 0, 1)
    assert np.max(np.abs(fast.apply(halves) / 65535.0 - expected_half)) <= TOLERANCE
    nan = fast.apply(np.full((1, 1, 3), np.nan, np.float32))
    assert nan.tolist() == [[[0, 0, 0]]]


def test_display_fast_path_is_refused_without_an_invertible_shape(studio_config: str) -> None:
    config = resolve_config(studio_config)
    assert derive_display(config, "linear", "mixed_gamma") is not None
    assert derive_display(config, "mixed_gamma", "linear") is None
