"""Input sniffing from real files: format and dimensions from the header."""
from __future__ import annotations

from fractions import Fraction

import av
import numpy as np
import pytest

from shotloop.providers.sniff import sniff, sniff_bytes

from tests.unit.providers.media import write_image


@pytest.mark.parametrize("ext, fmt, media_type", [
    ("png", "png", "image/png"), ("jpg", "jpeg", "image/jpeg"), ("webp", "webp", "image/webp"),
])
def test_images(tmp_path, ext, fmt, media_type):
    info = sniff(write_image(tmp_path / f"k.{ext}", 96, 54))
    assert (info.kind, info.format, info.media_type) == ("image", fmt, media_type)
    assert (info.width, info.height) == (96, 54)


def test_mp4(tmp_path):
    path = tmp_path / "proxy.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 64, 36, "yuv420p"
        stream.time_base = Fraction(1, 24)
        for index in range(4):
            frame = av.VideoFrame.from_ndarray(np.full((36, 64, 3), index * 40, np.uint8),
                                               format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    info = sniff(path)
    assert (info.kind, info.format, info.media_type) == ("video", "mp4", "video/mp4")


def test_gif_and_unknown():
    assert sniff_bytes(b"GIF89a\x01\x00").format == "gif"
    assert sniff_bytes(b"<html>hello</html>").kind == ""
    assert sniff_bytes(b"").kind == ""
    assert sniff_bytes(b"\x1a\x45\xdf\xa3rest").format == "webm"
