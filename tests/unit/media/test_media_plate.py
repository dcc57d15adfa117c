"""Plate frames, plate info and reading frames as RGB."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import OpenImageIO as oiio
import pytest
from tests.media_fixtures import clip_rgb, make_exr_plate, make_h264_clip, plate_rgb

from shotloop.errors import PlateInvalid
from shotloop.media.plate import PlateReader, frame_path, plate_info, scan_frames
from shotloop.media.video import parse_timecode
from shotloop.model import FrameRange, Resolution, Shot
from fractions import Fraction


@pytest.mark.parametrize("pattern, frame, expected", [
    ("/p/a.####.exr", 1001, "/p/a.1001.exr"),
    ("/p/a.####.exr", 7, "/p/a.0007.exr"),
    ("/p/a.%04d.exr", 42, "/p/a.0042.exr"),
    ("/p/a.%d.exr", 42, "/p/a.42.exr"),
    ("/p/a.@@@@.dpx", 3, "/p/a.0003.dpx"),
    ("/p/a.######.tif", 12, "/p/a.000012.tif"),
    ("/p/a.####.exr", -3, "/p/a.-003.exr"),
    ("/p/movie.mov", 1001, "/p/movie.mov"),
])
def test_frame_path(pattern: str, frame: int, expected: str) -> None:
    assert frame_path(pattern, frame) == Path(expected)


def _shot(pattern: str, first: int, last: int, res: Resolution, colorspace: str = "ACEScg") -> Shot:
    return Shot("sh010", pattern, FrameRange(first, last), 24.0, res, colorspace=colorspace)


def test_scan_and_info_of_a_sequence(tmp_path: Path) -> None:
    pattern = make_exr_plate(tmp_path, "sh010", 1001, 1006, 64, 36, skip=(1003, 1004))
    assert scan_frames(pattern, FrameRange(1001, 1008)) == [1003, 1004, 1007, 1008]
    info = plate_info(_shot(pattern, 1001, 1006, Resolution(64, 36)))
    assert info.resolution == Resolution(64, 36) and info.channels == 3 and info.pixel_type == "half"
    assert info.missing == (1003, 1004) and not info.complete and not info.is_movie


def test_no_frame_at_all(tmp_path: Path) -> None:
    with pytest.raises(PlateInvalid) as err:
        plate_info(_shot(str(tmp_path / "none.####.exr"), 1, 5, Resolution(8, 8)))
    assert err.value.shot == "sh010" and err.value.field == "shot.source"


def test_reader_gives_rgb_and_drops_alpha(tmp_path: Path) -> None:
    pattern = make_exr_plate(tmp_path, "rgba", 1, 3, 16, 8, channels=("R", "G", "B", "A"))
    with PlateReader(_shot(pattern, 1, 3, Resolution(16, 8))) as reader:
        pixels = reader.read(2)
        assert pixels.shape == (8, 16, 3) and pixels.dtype == np.float32
        assert np.allclose(pixels[4, 4], plate_rgb(2, 1, 3), atol=0)
        assert any("A" in note for note in reader.notes)
        with pytest.raises(PlateInvalid):
            reader.read(9)  # outside the shot's range


def test_reader_places_data_window_in_display_window(tmp_path: Path) -> None:
    path = tmp_path / "dw.0001.exr"
    spec = oiio.ImageSpec(4, 2, 3, oiio.HALF)
    spec.x, spec.y = 2, 1
    spec.full_x, spec.full_y, spec.full_width, spec.full_height = 0, 0, 8, 4
    out = oiio.ImageOutput.create(str(path))
    out.open(str(path), spec)
    out.write_image(np.ones((2, 4, 3), np.float16))
    out.close()
    with PlateReader(_shot(str(tmp_path / "dw.####.exr"), 1, 1, Resolution(8, 4))) as reader:
        pixels = reader.read(1)
    assert pixels.shape == (4, 8, 3)
    assert pixels[1:3, 2:6].min() == 1.0 and pixels[0].max() == 0.0 and pixels[:, :2].max() == 0.0


def test_movie_plate_numbering_and_reading(tmp_path: Path) -> None:
    movie = make_h264_clip(tmp_path / "plate.mp4", 12, 64, 36, 24)
    shot = _shot(str(movie), 1001, 1010, Resolution(64, 36), colorspace="srgb_tx")
    info = plate_info(shot)
    assert info.is_movie and info.movie_frames == 12 and info.numbering == "range" and info.movie_start == 1001
    assert scan_frames(str(movie), FrameRange(1001, 1012)) == []
    assert scan_frames(str(movie), FrameRange(0, 13)) == [12, 13]
    with PlateReader(shot, info) as reader:
        for frame in (1005, 1006, 1002):  # forward, next, then back (seeks)
            pixels = reader.read(frame)
            assert pixels.shape == (36, 64, 3)
            assert np.allclose(pixels[18, 32] * 255, clip_rgb(frame - 1001), atol=4)


def test_timecode() -> None:
    assert parse_timecode("01:00:00:00", Fraction(24)) == 86400
    assert parse_timecode("00:01:00;02", Fraction(30000, 1001)) == 1800  # drop-frame skips 0 and 1
    assert parse_timecode("nonsense", Fraction(24)) is None
