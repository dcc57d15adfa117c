"""Movies in and out with PyAV: probe, decode to RGB arrays, encode H.264 from RGB arrays.

YUV↔RGB is part of decoding and encoding, not a colour space conversion: the matrix and
range come from the stream's tags (BT.709 and limited range assumed when a stream is
untagged, as players do for HD) and are written explicitly on the way out, because
swscale would otherwise fall back to BT.601. Which was used is reported so the caller can
record it. Colour space conversions (sRGB ↔ scene-linear) happen elsewhere, through OCIO.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from ..errors import IngestFailed, ShotLoopError
from ..model import Resolution

log = logging.getLogger(__name__)

__all__ = ["VideoInfo", "probe_video", "VideoReader", "H264Writer", "parse_timecode", "rgb48_frame", "scale_rgb"]

# AVColorSpace tag → swscale matrix name; AVColorRange tag → name.
_MATRIX = {1: "ITU709", 5: "ITU601", 6: "ITU601", 7: "SMPTE240M", 4: "FCC", 9: "BT2020", 10: "BT2020"}
_RANGE = {1: "MPEG", 2: "JPEG"}


@dataclass(frozen=True)
class VideoInfo:
    """What a movie holds, from its headers (``frames`` counted from packets if unknown)."""

    path: str
    codec: str
    resolution: Resolution
    fps: Fraction
    frames: int
    pix_fmt: str
    bit_depth: int
    matrix: str  # swscale name: ITU709, ITU601, BT2020...
    matrix_tagged: bool
    color_range: str  # MPEG (limited) or JPEG (full)
    range_tagged: bool
    timecode: str = ""

    @property
    def is_rgb(self) -> bool:
        from av.video.format import VideoFormat

        return bool(VideoFormat(self.pix_fmt).is_rgb)

    def decode_step(self) -> dict[str, Any]:
        """How YUV became RGB, for provenance."""
        if self.is_rgb:
            return {"step": "decode", "codec": self.codec, "pix_fmt": self.pix_fmt, "bit_depth": self.bit_depth}
        return {"step": "decode", "codec": self.codec, "pix_fmt": self.pix_fmt, "bit_depth": self.bit_depth,
                "yuv_matrix": self.matrix.lower() + ("" if self.matrix_tagged else " (untagged: assumed)"),
                "yuv_range": ("limited" if self.color_range == "MPEG" else "full")
                + ("" if self.range_tagged else " (untagged: assumed)")}


def _fail(path: Path, problem: str, shot: str | None, error_type: type[ShotLoopError]) -> ShotLoopError:
    return error_type(f"{path.name} {problem}", shot=shot, field="clip",
                      fix="check the file; if it was downloaded, download it again")


def probe_video(path: Path, *, shot: str | None = None,
                error_type: type[ShotLoopError] = IngestFailed) -> VideoInfo:
    """Read a movie's headers. Raises ``error_type`` if it does not open or has no video."""
    import av

    path = Path(path)
    if not path.is_file():
        raise _fail(path, "does not exist", shot, error_type)
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise _fail(path, "holds no video stream", shot, error_type)
            stream = container.streams.video[0]
            ctx = stream.codec_context
            frames = int(stream.frames or 0)
            if frames <= 0:
                frames = sum(1 for packet in container.demux(stream) if packet.size)
            rate = stream.average_rate or stream.guessed_rate or stream.base_rate
            fmt = ctx.format
            timecode = str(stream.metadata.get("timecode") or container.metadata.get("timecode") or "")
            info_fmt = fmt.name if fmt is not None else "yuv420p"
            depth = max((c.bits for c in fmt.components), default=8) if fmt is not None else 8
            matrix_tag, range_tag = int(ctx.colorspace or 2), int(ctx.color_range or 0)
            width, height, codec = ctx.width, ctx.height, ctx.name
    except ShotLoopError:
        raise
    except (av.error.FFmpegError, OSError, UnicodeDecodeError, ValueError) as exc:
        raise _fail(path, f"does not open as a movie ({type(exc).__name__}: {exc})", shot, error_type) from None
    if width <= 0 or height <= 0 or frames <= 0:
        raise _fail(path, "holds no pictures", shot, error_type)
    if not rate:
        raise _fail(path, "has no frame rate", shot, error_type)
    matrix = _MATRIX.get(matrix_tag)
    full = info_fmt.startswith("yuvj") or range_tag == 2
    return VideoInfo(
        path=str(path), codec=codec, resolution=Resolution(width, height), fps=Fraction(rate),
        frames=frames, pix_fmt=info_fmt, bit_depth=depth,
        matrix=matrix or ("ITU709" if height >= 576 else "ITU601"), matrix_tagged=matrix is not None,
        color_range="JPEG" if full else "MPEG", range_tagged=range_tag in _RANGE or info_fmt.startswith("yuvj"),
        timecode=timecode)


def parse_timecode(timecode: str, fps: Fraction) -> int | None:
    """``HH:MM:SS:FF`` (``;`` before FF for drop-frame) as a frame number at ``fps``."""
    parts = timecode.replace(";", ":").replace(".", ":").split(":")
    if len(parts) != 4 or not all(p.isdigit() for p in parts):
        return None
    hh, mm, ss, ff = (int(p) for p in parts)
    nominal = round(float(fps))
    frames = ((hh * 60 + mm) * 60 + ss) * nominal + ff
    if ";" in timecode and nominal in (30, 60):
        drop = 2 * (nominal // 30)
        minutes = hh * 60 + mm
        frames -= drop * (minutes - minutes // 10)
    return frames


class VideoReader:
    """Decode a movie in order as RGB arrays (uint8, or uint16 for deeper sources).

    ``size`` scales with swscale (bicubic) on the way; threads decode in FFmpeg.
    """

    def __init__(self, info: VideoInfo, *, size: Resolution | None = None, depth: int | None = None,
                 shot: str | None = None, error_type: type[ShotLoopError] = IngestFailed) -> None:
        import av
        from av.video.reformatter import VideoReformatter

        self.info = info
        self.size = size or info.resolution
        self.depth = depth or (8 if info.bit_depth <= 8 else 16)
        self._shot, self._error_type = shot, error_type
        # Planar GBR with accurate rounding: packed rgb24 output from swscale is biased
        # by 1-3 code values low on 4:2:0 input.
        self._rgb_format = "gbrp" if self.depth == 8 else "gbrp16le"
        self._reformatter = VideoReformatter()
        try:
            self._container = av.open(info.path)
        except (av.error.FFmpegError, OSError) as exc:
            raise _fail(Path(info.path), f"does not open ({exc})", shot, error_type) from None
        self._stream = self._container.streams.video[0]
        self._stream.thread_type = "AUTO"
        self._stream.codec_context.thread_count = 0

    def __enter__(self) -> "VideoReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._container.close()

    def rgb(self, frame: Any) -> np.ndarray:
        """A decoded frame as an (H, W, 3) RGB array at ``size``, full range."""
        from av.video.reformatter import ColorRange, Colorspace, Interpolation

        info = self.info
        kwargs: dict[str, Any] = {}
        if not info.is_rgb:
            kwargs = {"src_colorspace": Colorspace[info.matrix], "dst_colorspace": Colorspace[info.matrix],
                      "src_color_range": ColorRange[info.color_range], "dst_color_range": ColorRange.JPEG}
        out = self._reformatter.reformat(frame, self.size.width, self.size.height, format=self._rgb_format,
                                         interpolation=Interpolation.BICUBIC | Interpolation.ACCURATE_RND,
                                         **kwargs)
        return out.to_ndarray()

    def frames(self, start: int = 0) -> Iterator[tuple[int, Any]]:
        """(index, av.VideoFrame) from picture ``start`` on, in display order.

        Pictures are counted in decode order from the start (a returned clip: every picture
        counts once, whatever its timestamps say). After a seek, the first picture's index
        comes from its timestamp and the following ones are counted from there.
        """
        import av

        stream = self._stream
        rate = self.info.fps
        base = stream.start_time or 0
        tb = stream.time_base or Fraction(1, 1)
        index = -1
        if start > 0:
            target = base + int(Fraction(start) / rate / tb)
            self._container.seek(target, stream=stream, backward=True, any_frame=False)
            index = None
        try:
            for frame in self._container.decode(stream):
                if index is None:
                    if frame.pts is None:
                        raise _fail(Path(self.info.path), "has no timestamps to seek by", self._shot,
                                    self._error_type)
                    index = round(float((frame.pts - base) * tb * rate))
                else:
                    index += 1
                if index < start:
                    continue
                yield index, frame
        except av.error.FFmpegError as exc:
            raise _fail(Path(self.info.path), f"stops decoding after picture {index} ({exc})",
                        self._shot, self._error_type) from None


def scale_rgb(pixels: np.ndarray, size: Resolution, *, to8: bool = False) -> np.ndarray:
    """Resize an (H, W, 3) uint8/uint16 RGB array with swscale (bicubic, rounded).

    ``to8`` also converts 16-bit codes to 8 bits in the same pass.
    """
    import av
    from av.video.reformatter import Interpolation

    source = "rgb24" if pixels.dtype == np.uint8 else "rgb48le"
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels), format=source)
    out = frame.reformat(size.width, size.height, format="rgb24" if to8 else source,
                         interpolation=Interpolation.BICUBIC | Interpolation.ACCURATE_RND)
    return out.to_ndarray()


def rgb48_frame(width: int, height: int) -> tuple[Any, np.ndarray]:
    """A new rgb48le ``av.VideoFrame`` and a writable (H, W, 3) uint16 view of its pixels."""
    import av

    frame = av.VideoFrame(width, height, "rgb48le")
    plane = frame.planes[0]
    rows = np.frombuffer(plane, np.uint16).reshape(height, plane.line_size // 2)
    return frame, rows[:, : width * 3].reshape(height, width, 3)


class H264Writer:
    """Encode RGB uint8 frames to an H.264 MP4 (yuv420p, BT.709, limited range).

    ``rate`` is the exact frame rate (24000/1001 for 23.976); the stream's time base is
    its inverse, so frame n sits at exactly n/rate. ``max_bitrate`` caps the VBV rate
    (bits/s) so the file size is bounded by duration × rate.
    """

    def __init__(self, path: Path, size: Resolution, rate: Fraction, *, crf: int = 18,
                 preset: str = "veryfast", max_bitrate: int | None = None, tune: str = "") -> None:
        import av
        from av.video.reformatter import VideoReformatter

        if size.width % 2 or size.height % 2:
            raise ValueError(f"H.264 4:2:0 needs an even size, got {size}")
        self.path = Path(path)
        self.size = size
        self.rate = Fraction(rate)
        self.frames = 0
        options = {"crf": str(crf), "preset": preset}
        if tune:
            options["tune"] = tune
        if max_bitrate:
            options["maxrate"] = str(int(max_bitrate))
            options["bufsize"] = str(int(max_bitrate))
        self.settings = {"codec": "libx264", "pix_fmt": "yuv420p", "yuv_matrix": "bt709",
                         "yuv_range": "limited", **options}
        suffix = self.path.suffix.lower()
        container_options = {"movflags": "+faststart"} if suffix in (".mp4", ".mov") else {}
        self._container = av.open(str(self.path), mode="w", options=container_options)
        stream = self._container.add_stream("libx264", rate=self.rate, options=options)
        stream.width, stream.height, stream.pix_fmt = size.width, size.height, "yuv420p"
        ctx = stream.codec_context
        ctx.time_base = 1 / self.rate
        ctx.colorspace, ctx.color_range = 1, 1  # BT.709, limited
        ctx.color_primaries, ctx.color_trc = 1, 13  # BT.709 primaries, sRGB (IEC 61966-2-1) curve
        self._stream = stream
        self._reformatter = VideoReformatter()

    def __enter__(self) -> "H264Writer":
        return self

    def __exit__(self, exc_type: object, *rest: object) -> None:
        self.close()

    def write(self, rgb: np.ndarray) -> None:
        """Encode an (H, W, 3) uint8 RGB picture of the writer's size."""
        import av

        self.write_frame(av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24"))

    def write_frame(self, frame: Any) -> None:
        """Encode an RGB ``av.VideoFrame`` (rgb24 or rgb48le), scaled to the writer's size.

        RGB → BT.709 limited-range 4:2:0 and any scaling happen in one swscale pass.
        """
        from av.video.reformatter import ColorRange, Colorspace, Interpolation

        yuv = self._reformatter.reformat(
            frame, self.size.width, self.size.height, format="yuv420p",
            interpolation=Interpolation.BICUBIC | Interpolation.ACCURATE_RND,
            src_colorspace=Colorspace.ITU709, dst_colorspace=Colorspace.ITU709,
            src_color_range=ColorRange.JPEG, dst_color_range=ColorRange.MPEG)
        yuv.pts = self.frames
        yuv.time_base = 1 / self.rate
        self._container.mux(self._stream.encode(yuv))
        self.frames += 1

    def close(self) -> None:
        if self._container is None:
            return
        try:
            self._container.mux(self._stream.encode(None))
        finally:
            self._container.close()
            self._container = None
