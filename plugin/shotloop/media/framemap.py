"""Which clip picture becomes which shot frame: frame for frame, or retimed by time.

Frame for frame (the default) never stretches time silently: clip picture i becomes shot
frame first + i, extra pictures are trimmed, and a clip at another rate is *reinterpreted*
at the shot's rate (it plays slightly faster or slower), which is recorded. Retiming
happens only when asked: shot frame i shows the clip picture nearest in time to i / fps.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..errors import IngestFailed
from ..model import rate_fraction

__all__ = ["FrameMap", "map_frames", "rate_text"]


def rate_text(rate: Fraction | None) -> str:
    if rate is None:
        return "unknown"
    return str(rate.numerator) if rate.denominator == 1 else f"{rate.numerator}/{rate.denominator}"


@dataclass(frozen=True)
class FrameMap:
    """``sources[i]`` is the clip picture that becomes the i-th shot frame."""

    sources: tuple[int, ...]
    step: dict[str, Any]

    @property
    def needed(self) -> int:
        """How many clip pictures must be decoded (from the start)."""
        return (max(self.sources) + 1) if self.sources else 0


def map_frames(count: int, clip_frames: int, clip_fps: Fraction | None, shot_fps: float, *,
               retime: bool, shot: str) -> FrameMap:
    """Plan the mapping; raises IngestFailed when the clip is too short."""
    target = rate_fraction(shot_fps)
    source_rate = clip_fps if clip_fps else target
    base: dict[str, Any] = {"step": "frames", "clip_frames": clip_frames, "clip_fps": rate_text(clip_fps),
                            "shot_fps": rate_text(target), "shot_frames": count}
    if clip_fps is None:
        base["clip_fps_note"] = "image sequence without a rate: taken as the shot's"
    if retime and source_rate != target:
        sources = tuple(int(Fraction(i) * source_rate / target + Fraction(1, 2)) for i in range(count))
        need_s, have_s = count / target, clip_frames / source_rate
        if sources and sources[-1] >= clip_frames:
            raise IngestFailed(
                f"the clip lasts {float(have_s):.3f} s ({clip_frames} frames at {rate_text(source_rate)} fps), "
                f"the shot needs {float(need_s):.3f} s ({count} frames at {rate_text(target)} fps)",
                shot=shot, field="clip.duration", fix="generate a longer duration")
        used = set(sources)
        base.update({"mode": "retime", "method": "nearest picture in time",
                     "duplicated": count - len(used),
                     "dropped": max(0, sources[-1] + 1 - len(used)) if sources else 0,
                     "trimmed": clip_frames - (sources[-1] + 1 if sources else 0)})
        return FrameMap(sources, base)
    if clip_frames < count:
        raise IngestFailed(
            f"the clip has {clip_frames} frames, the shot needs {count}", shot=shot, field="clip.frames",
            fix="generate a longer duration" + ("" if retime else " (or allow retiming if the rates differ)"))
    base.update({"mode": "frame-for-frame", "trimmed": clip_frames - count})
    if retime:
        base["retime"] = "asked, but the rates match: nothing to retime"
    if source_rate != target:
        speed = float(target / source_rate)
        base["fps_reinterpreted"] = (f"clip pictures are played at {rate_text(target)} fps instead of "
                                     f"{rate_text(source_rate)} fps ({speed:.4f}x speed); nothing was "
                                     f"stretched or resampled")
    return FrameMap(tuple(range(count)), base)
