"""Conform: an H.264 clip of known colours → half-float ACEScg EXRs named for the version."""
from __future__ import annotations

import json
import threading
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import OpenImageIO as oiio
import pytest
from tests.media_fixtures import clip_rgb, make_h264_clip

from shotloop.errors import IngestFailed, JobCancelled
from shotloop.media.ingest import ConformTarget, conform
from shotloop.model import FrameRange, Resolution

SRGB = "sRGB Encoded Rec.709 (sRGB)"


@pytest.fixture(autouse=True)
def _no_ocio_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OCIO", raising=False)


def target(count: int, *, fps: float = 24.0, res: Resolution = Resolution(64, 36), first: int = 1001,
           version: int = 3) -> ConformTarget:
    return ConformTarget("sh010", "gen", version, FrameRange(first, first + count - 1), fps, res)


def read_exr(path: Path) -> tuple[np.ndarray, str]:
    image = oiio.ImageInput.open(str(path))
    assert image is not None, oiio.geterror()
    spec = image.spec()
    pixels = image.read_image(0, 0, 0, spec.nchannels, "half")
    image.close()
    return pixels, str(spec.format)


def back_to_srgb8(linear: np.ndarray) -> np.ndarray:
    """ACEScg → sRGB codes through OCIO (independent of ShotLoop's fast path)."""
    out = oiio.ImageBufAlgo.colorconvert(oiio.ImageBuf(linear.astype(np.float32)), "ACEScg", SRGB, False,
                                         colorconfig="ocio://default")
    return out.get_pixels(oiio.FLOAT).reshape(linear.shape) * 255


def expected_linear(rgb8: tuple[int, int, int]) -> np.ndarray:
    pixel = np.array([[[c / 255 for c in rgb8]]], np.float32)
    out = oiio.ImageBufAlgo.colorconvert(oiio.ImageBuf(pixel), SRGB, "ACEScg", False, colorconfig="ocio://default")
    return np.array(out.getpixel(0, 0))


def assert_frame_is_clip_picture(path: Path, picture: int) -> None:
    pixels, kind = read_exr(path)
    assert kind == "half"
    centre = pixels[pixels.shape[0] // 2, pixels.shape[1] // 2].astype(np.float32)
    assert np.abs(back_to_srgb8(centre[None, None])[0, 0] - clip_rgb(picture)).max() <= 3.5, (path.name, picture)
    assert np.allclose(centre, expected_linear(clip_rgb(picture)), rtol=0.05, atol=0.004)


@pytest.fixture(scope="module")
def clip24(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_h264_clip(tmp_path_factory.mktemp("clips") / "c24.mp4", 30, 64, 36, 24)


def test_conform_writes_the_version_frames(clip24: Path, tmp_path: Path) -> None:
    progress: list[float] = []
    result = conform(clip24, target(24), tmp_path, progress=progress.append)
    names = sorted(p.name for p in tmp_path.glob("*.exr"))
    assert names == [f"sh010_gen_v003.{f}.exr" for f in range(1001, 1025)]
    assert result.frames == str(tmp_path / "sh010_gen_v003.####.exr")
    assert result.frame_range == FrameRange(1001, 1024)
    assert result.source_frames == 30 and result.source_fps == 24.0
    for index in (0, 11, 23):
        assert_frame_is_clip_picture(tmp_path / f"sh010_gen_v003.{1001 + index}.exr", index)
    pixels, _ = read_exr(tmp_path / "sh010_gen_v003.1001.exr")
    assert pixels.shape == (36, 64, 3)
    image = oiio.ImageInput.open(str(tmp_path / "sh010_gen_v003.1001.exr"))
    spec = image.spec()
    image.close()
    assert spec.get_string_attribute("shotloop:shot") == "sh010" and spec.get_int_attribute("shotloop:version") == 3
    assert np.allclose(spec.getattribute("chromaticities"), (0.713, 0.293, 0.165, 0.830, 0.128, 0.044, 0.32168, 0.33767))
    assert progress and progress[-1] == pytest.approx(1.0) and progress == sorted(progress)
    steps = {s["step"]: s for s in result.steps}
    assert steps["frames"]["mode"] == "frame-for-frame" and steps["frames"]["trimmed"] == 6
    assert steps["colour"]["from"] == SRGB and steps["colour"]["to"] == "ACEScg"
    assert steps["colour"]["method"].startswith("1D LUT") and steps["colour"]["verified_max_error"] <= 1e-3
    assert steps["write"]["pixel_type"] == "half" and steps["write"]["compression"]
    json.dumps(result.steps)


def test_review_movie_and_thumbnail(clip24: Path, tmp_path: Path) -> None:
    result = conform(clip24, target(24, fps=23.976), tmp_path)
    assert result.movie == tmp_path / "sh010_gen_v003.mp4"
    with av.open(str(result.movie)) as container:
        stream = container.streams.video[0]
        frames = list(container.decode(stream))
        assert Fraction(stream.average_rate) == Fraction(24000, 1001)
        assert len(frames) == 24 and (frames[0].width, frames[0].height) == (64, 36)
        mid = frames[12].to_ndarray(format="rgb24", src_colorspace="ITU709", dst_colorspace="ITU709")
    assert np.abs(mid[18, 32].astype(int) - clip_rgb(12)).max() <= 6
    thumb = oiio.ImageBuf(str(result.thumbnail))
    assert result.thumbnail.name == "sh010_gen_v003.thumb.jpg" and thumb.spec().width == 64


def test_resize_to_the_plate_format(clip24: Path, tmp_path: Path) -> None:
    result = conform(clip24, target(4, res=Resolution(48, 48)), tmp_path)
    pixels, _ = read_exr(tmp_path / "sh010_gen_v003.1001.exr")
    assert pixels.shape == (48, 48, 3)
    fit = [s for s in result.steps if s["step"] == "fit"][0]
    assert fit["mode"] == "crop" and fit["from"] == [64, 36] and fit["to"] == [48, 48]
    padded = conform(clip24, target(4, res=Resolution(64, 64), version=4), tmp_path, fit="pad")
    pixels, _ = read_exr(tmp_path / "sh010_gen_v004.1001.exr")
    assert pixels.shape == (64, 64, 3) and float(pixels[2, 32].max()) == 0.0
    assert_frame_is_clip_picture(tmp_path / "sh010_gen_v004.1001.exr", 0)
    assert [s for s in padded.steps if s["step"] == "fit"][0]["mode"] == "pad"


def test_other_rate_is_frame_for_frame_unless_retimed(tmp_path: Path) -> None:
    clip30 = make_h264_clip(tmp_path / "c30.mp4", 12, 64, 36, 30)
    plain = conform(clip30, target(8), tmp_path / "a")
    assert_frame_is_clip_picture(tmp_path / "a" / "sh010_gen_v003.1008.exr", 7)
    assert "fps_reinterpreted" in [s for s in plain.steps if s["step"] == "frames"][0]
    timed = conform(clip30, target(8), tmp_path / "b", retime=True)
    step = [s for s in timed.steps if s["step"] == "frames"][0]
    assert step["mode"] == "retime" and step["clip_fps"] == "30"
    for index, picture in enumerate((0, 1, 3, 4, 5, 6, 8, 9)):  # nearest in time: round(i * 30 / 24)
        assert_frame_is_clip_picture(tmp_path / "b" / f"sh010_gen_v003.{1001 + index}.exr", picture)


def test_short_clip_fails_naming_both_counts(clip24: Path, tmp_path: Path) -> None:
    with pytest.raises(IngestFailed) as err:
        conform(clip24, target(48), tmp_path)
    assert err.value.shot == "sh010" and "30" in err.value.problem and "48" in err.value.problem
    assert "longer" in err.value.fix
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("damage", ["garbage", "truncated"])
def test_corrupt_clip_fails_and_leaves_nothing(clip24: Path, tmp_path: Path, damage: str) -> None:
    bad = tmp_path / "in" / "bad.mp4"
    bad.parent.mkdir()
    data = clip24.read_bytes()
    bad.write_bytes(b"\x00not a movie" * 200 if damage == "garbage" else data[: len(data) // 3])
    out = tmp_path / "out"
    with pytest.raises(IngestFailed) as err:
        conform(bad, target(24), out)
    assert err.value.shot == "sh010" and err.value.fix
    assert not out.exists() or list(out.iterdir()) == []


def test_cancel_leaves_nothing(clip24: Path, tmp_path: Path) -> None:
    cancel = threading.Event()

    def progress(fraction: float) -> None:
        if fraction >= 0.25:
            cancel.set()

    with pytest.raises(JobCancelled):
        conform(clip24, target(24), tmp_path, progress=progress, cancel=cancel)
    assert list(tmp_path.iterdir()) == []


def test_never_overwrites(clip24: Path, tmp_path: Path) -> None:
    (tmp_path / "sh010_gen_v003.1005.exr").write_bytes(b"published")
    with pytest.raises(IngestFailed) as err:
        conform(clip24, target(8), tmp_path)
    assert "1005" in err.value.problem
    assert (tmp_path / "sh010_gen_v003.1005.exr").read_bytes() == b"published"
    assert len(list(tmp_path.iterdir())) == 1


def test_png_sequence_input(tmp_path: Path) -> None:
    folder = tmp_path / "pngs"
    folder.mkdir()
    for i in range(6):
        data = np.empty((36, 64, 3), np.uint8)
        data[...] = clip_rgb(i)
        buf = oiio.ImageBuf(data)
        assert buf.write(str(folder / f"out_{i + 1:03d}.png"))
    result = conform(folder, target(5), tmp_path / "out")
    for index in (0, 4):
        assert_frame_is_clip_picture(tmp_path / "out" / f"sh010_gen_v003.{1001 + index}.exr", index)
    frames = [s for s in result.steps if s["step"] == "frames"][0]
    assert frames["clip_fps"] == "unknown" and frames["trimmed"] == 1


def test_ten_bit_prores_input(tmp_path: Path) -> None:
    path = tmp_path / "c.mov"
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("prores_ks", rate=24)
        stream.width, stream.height, stream.pix_fmt = 64, 36, "yuv422p10le"
        stream.codec_context.colorspace, stream.codec_context.color_range = 1, 1
        for i in range(4):
            data = np.empty((36, 64, 3), np.uint8)
            data[...] = clip_rgb(i)
            frame = av.VideoFrame.from_ndarray(data, format="rgb24").reformat(
                format="yuv422p10le", src_colorspace="ITU709", dst_colorspace="ITU709",
                src_color_range="JPEG", dst_color_range="MPEG")
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    result = conform(path, target(4), tmp_path / "out")
    assert [s for s in result.steps if s["step"] == "colour"][0]["bits"] == 16
    assert_frame_is_clip_picture(tmp_path / "out" / "sh010_gen_v003.1003.exr", 2)


def test_exr_sequence_input_stays_in_the_working_space(tmp_path: Path) -> None:
    from tests.media_fixtures import make_exr_plate, plate_rgb

    pattern = make_exr_plate(tmp_path / "exr", "ret", 1, 6, 64, 36)
    result = conform(Path(pattern), target(6), tmp_path / "out")
    pixels, _ = read_exr(tmp_path / "out" / "sh010_gen_v003.1004.exr")
    assert np.allclose(pixels[10, 10].astype(np.float32), plate_rgb(4, 1, 6), atol=1e-3)
    colour = [s for s in result.steps if s["step"] == "colour"][0]
    assert colour["method"].startswith("none") and colour["source_colorspace"].startswith("assumed")
    assert result.movie.stat().st_size > 0


def test_ocio_on_every_frame_when_no_shortcut_exists(clip24: Path, tmp_path: Path) -> None:
    from tests.media_fixtures import write_test_ocio_config

    config = write_test_ocio_config(tmp_path / "cfg")
    studio = ConformTarget("sh010", "gen", 3, FrameRange(1, 3), 24.0, Resolution(64, 36), colorspace="mixed_gamma")
    result = conform(clip24, studio, tmp_path / "out", config=config, source_colorspace="lin_test")
    colour = [s for s in result.steps if s["step"] == "colour"][0]
    assert colour["method"] == "OCIO on every frame" and colour["from"] == "linear"
    assert colour["source_colorspace"] == "given" and colour["config"].endswith("config.ocio")
    pixels, _ = read_exr(tmp_path / "out" / "sh010_gen_v003.0002.exr")
    codes = np.array([[clip_rgb(1)]], np.float32) / 255
    want = oiio.ImageBufAlgo.colorconvert(oiio.ImageBuf(codes), "linear", "mixed_gamma", False, colorconfig=config)
    assert np.allclose(pixels[18, 32].astype(np.float32), want.getpixel(0, 0), atol=0.02)
