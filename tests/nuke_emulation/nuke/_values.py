"""Value classes: Format, FrameRange, FrameRanges (reference A6, A10)."""
from __future__ import annotations

import re
from typing import Iterator

from ._session import SESSION


class Format:
    """An image format: ``name()``, ``width()``, ``height()``, ``pixelAspect()``, ``x/y/r/t``."""

    def __init__(self, width: int, height: int, x: int = 0, y: int = 0, r: int | None = None,
                 t: int | None = None, pixel_aspect: float = 1.0, name: str = "") -> None:
        self._w, self._h = int(width), int(height)
        self._x, self._y = int(x), int(y)
        self._r = int(r) if r is not None else self._w
        self._t = int(t) if t is not None else self._h
        self._pa = float(pixel_aspect)
        self._name = name

    def name(self) -> str:
        return self._name

    def width(self) -> int:
        return self._w

    def height(self) -> int:
        return self._h

    def pixelAspect(self) -> float:  # noqa: N802 - Nuke's API name
        return self._pa

    def x(self) -> int:
        return self._x

    def y(self) -> int:
        return self._y

    def r(self) -> int:
        return self._r

    def t(self) -> int:
        return self._t

    def setName(self, name: str) -> None:  # noqa: N802
        self._name = name

    def _spec(self) -> str:
        """The ``addFormat`` text of this format (how .nk files write it)."""
        pa = f"{self._pa:g}"
        spec = f"{self._w} {self._h} {self._x} {self._y} {self._r} {self._t} {pa}"
        return f"{spec} {self._name}".strip()

    def __repr__(self) -> str:
        return f"<Format {self._name or '(anonymous)'} {self._w}x{self._h}>"

    @classmethod
    def parse(cls, spec: str) -> "Format":
        """``"w h [x y r t] [pa] [name]"`` as given to ``nuke.addFormat``."""
        parts = spec.split()
        nums: list[float] = []
        while parts and re.fullmatch(r"-?\d+(\.\d+)?", parts[0]):
            nums.append(float(parts.pop(0)))
        name = " ".join(parts)
        if len(nums) == 2:
            return cls(int(nums[0]), int(nums[1]), name=name)
        if len(nums) == 3:
            return cls(int(nums[0]), int(nums[1]), pixel_aspect=nums[2], name=name)
        if len(nums) == 6:
            w, h, x, y, r, t = (int(n) for n in nums)
            return cls(w, h, x, y, r, t, name=name)
        if len(nums) == 7:
            w, h, x, y, r, t = (int(n) for n in nums[:6])
            return cls(w, h, x, y, r, t, nums[6], name=name)
        raise ValueError(f"bad format spec {spec!r}")


DEFAULT_FORMATS = (
    "640 480 0 0 640 480 1 PC_Video",
    "720 486 0 0 720 486 0.91 NTSC",
    "720 576 0 0 720 576 1.09 PAL",
    "1280 720 0 0 1280 720 1 HD_720",
    "1920 1080 0 0 1920 1080 1 HD_1080",
    "3840 2160 0 0 3840 2160 1 UHD_4K",
    "256 256 0 0 256 256 1 square_256",
    "512 512 0 0 512 512 1 square_512",
    "1024 1024 0 0 1024 1024 1 square_1K",
    "2048 2048 0 0 2048 2048 1 square_2K",
    "2048 1556 0 0 2048 1556 1 2K_Super_35(full-ap)",
    "2048 1080 0 0 2048 1080 1 2K_DCP",
    "4096 2160 0 0 4096 2160 1 4K_DCP",
)


def find_format(name: str) -> Format | None:
    for fmt in SESSION.formats:
        if fmt.name() == name:
            return fmt
    return None


def find_or_add(width: int, height: int, pixel_aspect: float = 1.0) -> Format:
    """A format of that size from the list, or a new anonymous one added to it (as Nuke does)."""
    for fmt in SESSION.formats:
        if fmt.width() == width and fmt.height() == height and abs(fmt.pixelAspect() - pixel_aspect) < 1e-6:
            return fmt
    fmt = Format(width, height, pixel_aspect=pixel_aspect)
    SESSION.formats.append(fmt)
    return fmt


class FrameRange:
    """``FrameRange(first, last, increment=1)`` or ``FrameRange("1-100x2")``."""

    def __init__(self, first: int | str = 1, last: int | None = None, increment: int = 1) -> None:
        if isinstance(first, str):
            m = re.fullmatch(r"\s*(-?\d+)(?:-(-?\d+))?(?:x(\d+))?\s*", first)
            if not m:
                raise ValueError(f"bad frame range {first!r}")
            self._first = int(m.group(1))
            self._last = int(m.group(2)) if m.group(2) else self._first
            self._incr = int(m.group(3)) if m.group(3) else 1
        else:
            self._first = int(first)
            self._last = int(last if last is not None else first)
            self._incr = int(increment)

    def first(self) -> int:
        return self._first

    def last(self) -> int:
        return self._last

    def increment(self) -> int:
        return self._incr

    def frames(self) -> int:
        return len(range(self._first, self._last + 1, self._incr))

    def __iter__(self) -> Iterator[int]:
        return iter(range(self._first, self._last + 1, self._incr))

    def __str__(self) -> str:
        text = f"{self._first}-{self._last}"
        return text + (f"x{self._incr}" if self._incr != 1 else "")


class FrameRanges:
    def __init__(self, ranges: str | list = "") -> None:
        if isinstance(ranges, str):
            self._ranges = [FrameRange(part) for part in ranges.replace(",", " ").split()]
        else:
            self._ranges = [r if isinstance(r, FrameRange) else FrameRange(r) for r in ranges]

    def __iter__(self) -> Iterator[FrameRange]:
        return iter(self._ranges)

    def size(self) -> int:
        return len(self._ranges)

    def toFrameList(self) -> list[int]:  # noqa: N802
        return [f for r in self._ranges for f in r]
