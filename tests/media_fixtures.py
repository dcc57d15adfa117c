"""Synthetic plates and clips with known pixel values, for any test that needs media.

    from tests.media_fixtures import make_exr_plate, make_h264_clip, plate_rgb, clip_rgb

``make_exr_plate`` writes a scene-linear half-float EXR sequence whose every frame is one
flat colour, ``plate_rgb(frame, first, last)``, moving from ``rgb_first`` to ``rgb_last``
over the range (so first and last keyframes differ). ``make_h264_clip`` writes an H.264
MP4 (yuv420p, BT.709, limited range, tagged) whose frame i is one flat sRGB colour,
``clip_rgb(i)``, unless ``pattern="moving"`` (gradients, a moving disc and grain, for
benchmarks). Both are small and fast; nothing here imports ShotLoop.
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

RGB = tuple[float, float, float]

PLATE_FIRST_RGB: RGB = (0.18, 0.10, 0.05)
PLATE_LAST_RGB: RGB = (0.05, 0.12, 0.30)

__all__ = ["make_exr_plate", "make_h264_clip", "plate_rgb", "clip_rgb", "moving_frame",
           "write_test_ocio_config", "PLATE_FIRST_RGB", "PLATE_LAST_RGB"]

# A small studio-style OCIO config: "linear" (scene_linear role, alias lin_test), an sRGB-like
# "srgb_test", and "mixed_gamma" (a matrix then a power: no LUT + matrix shortcut exists
# from linear to it, so code paths that need OCIO on every frame get exercised).
TEST_OCIO_CONFIG = """\
ocio_profile_version: 2
roles:
  default: raw
  scene_linear: linear
  data: raw
file_rules:
  - !<Rule> {name: Default, colorspace: default}
displays:
  sRGB:
    - !<View> {name: Raw, colorspace: raw}
colorspaces:
  - !<ColorSpace>
    name: raw
    isdata: true
  - !<ColorSpace>
    name: linear
    aliases: [lin_test]
  - !<ColorSpace>
    name: srgb_test
    from_scene_reference: !<ExponentWithLinearTransform> {gamma: 2.4, offset: 0.055, direction: inverse}
  - !<ColorSpace>
    name: mixed_gamma
    from_scene_reference: !<GroupTransform>
      children:
        - !<MatrixTransform> {matrix: [0.8, 0.2, 0, 0, 0.1, 0.8, 0.1, 0, 0, 0.2, 0.8, 0, 0, 0, 0, 1]}
        - !<ExponentTransform> {value: [2.2, 2.2, 2.2, 1], direction: inverse}
"""


def write_test_ocio_config(directory: Path | str) -> str:
    """Write TEST_OCIO_CONFIG as ``<directory>/config.ocio``; return its path."""
    path = Path(directory) / "config.ocio"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TEST_OCIO_CONFIG)
    return str(path)


def plate_rgb(frame: int, first: int, last: int, rgb_first: RGB = PLATE_FIRST_RGB,
              rgb_last: RGB = PLATE_LAST_RGB) -> RGB:
    """The scene-linear colour of ``frame`` in a plate made by ``make_exr_plate``.

    Values are the half-float values actually stored, so tests can compare exactly.
    """
    t = 0.0 if last == first else (frame - first) / (last - first)
    mixed = [a + (b - a) * t for a, b in zip(rgb_first, rgb_last)]
    return tuple(float(np.float16(v)) for v in mixed)  # type: ignore[return-value]


def make_exr_plate(directory: Path | str, name: str, first: int, last: int, width: int, height: int,
                   colorspace: str = "ACEScg", *, rgb_first: RGB = PLATE_FIRST_RGB,
                   rgb_last: RGB = PLATE_LAST_RGB, channels: Sequence[str] = ("R", "G", "B"),
                   skip: Sequence[int] = ()) -> str:
    """Write ``<directory>/<name>.####.exr`` for first..last; return that #### pattern.

    ``channels`` may add "A" (alpha = 1). ``skip`` leaves those frames out (missing-frame tests).
    """
    import OpenImageIO as oiio

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    pattern = str(directory / f"{name}.####.exr")
    spec = oiio.ImageSpec(width, height, len(channels), oiio.HALF)
    spec.channelnames = tuple(channels)
    if "A" in channels:
        spec.alpha_channel = list(channels).index("A")
    spec.attribute("compression", "zip")
    spec.attribute("oiio:ColorSpace", colorspace)
    for frame in range(first, last + 1):
        if frame in skip:
            continue
        pixel = list(plate_rgb(frame, first, last, rgb_first, rgb_last))
        pixel += [1.0] * (len(channels) - 3)
        data = np.empty((height, width, len(channels)), np.float16)
        data[...] = np.asarray(pixel[: len(channels)], np.float16)
        path = pattern.replace("####", f"{frame:04d}")
        out = oiio.ImageOutput.create(path)
        if out is None or not out.open(path, spec):
            raise OSError(f"cannot write {path}: {oiio.geterror()}")
        out.write_image(data)
        out.close()
    return pattern


def clip_rgb(index: int) -> tuple[int, int, int]:
    """The sRGB 8-bit colour of frame ``index`` in a solid clip (distinct for 0..29)."""
    return (200, 20 + 7 * (index % 30), 90)


def moving_frame(index: int, width: int, height: int, seed: int = 0) -> np.ndarray:
    """A frame with gradients, a moving bright disc and a little grain (uint8 RGB)."""
    rng = np.random.default_rng(seed * 100003 + index)
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    x = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    phase = index / 48.0
    r = 0.25 + 0.5 * x * (0.6 + 0.4 * np.sin(2 * np.pi * (phase + y)))
    g = 0.2 + 0.6 * y + 0.1 * np.cos(2 * np.pi * (x * 3 + phase))
    b = 0.5 + 0.4 * np.sin(2 * np.pi * (x + y + phase))
    img = np.stack(np.broadcast_arrays(r, g, b), axis=-1)
    cx, cy = 0.1 + 0.8 * ((phase * 0.5) % 1.0), 0.5
    disc = (((x - cx) * width / height) ** 2 + (y - cy) ** 2) < 0.12**2
    img[disc] = (0.95, 0.85, 0.6)
    img += rng.normal(0.0, 0.012, img.shape).astype(np.float32)
    return (np.clip(img, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def make_h264_clip(path: Path | str, frames: int, width: int, height: int, fps: float | Fraction,
                   *, pattern: str = "solid", rgb: Callable[[int], tuple[int, int, int]] = clip_rgb,
                   crf: int = 12, preset: str = "ultrafast", seed: int = 0) -> Path:
    """Write an H.264 MP4 of ``frames`` frames; frame i is ``rgb(i)`` (solid) or moving."""
    import av
    from av.video.reformatter import ColorRange, Colorspace

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rate = _rate(fps)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=rate, options={"crf": str(crf), "preset": preset})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.time_base = 1 / rate
        stream.codec_context.colorspace, stream.codec_context.color_range = 1, 1
        for i in range(frames):
            if pattern == "solid":
                data = np.empty((height, width, 3), np.uint8)
                data[...] = rgb(i)
            else:
                data = moving_frame(i, width, height, seed)
            frame = av.VideoFrame.from_ndarray(data, format="rgb24")
            frame = frame.reformat(format="yuv420p", src_colorspace=Colorspace.ITU709,
                                   dst_colorspace=Colorspace.ITU709, src_color_range=ColorRange.JPEG,
                                   dst_color_range=ColorRange.MPEG)
            frame.pts, frame.time_base = i, 1 / rate
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def _rate(fps: float | Fraction) -> Fraction:
    if isinstance(fps, Fraction):
        return fps
    for base in (24, 30, 48, 60):
        if abs(fps - base * 1000 / 1001) < 5e-4:
            return Fraction(base * 1000, 1001)
    return Fraction(fps).limit_denominator(1001)
