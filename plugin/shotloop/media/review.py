"""The review movie and thumbnail of a conformed version (display-referred, 8-bit)."""
from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from ..model import Resolution
from .framemap import rate_text
from .imageops import write_rgb8
from .video import H264Writer, scale_rgb

log = logging.getLogger(__name__)

THUMBNAIL_WIDTH = 480
REVIEW_CRF = 18
REVIEW_PRESET = "ultrafast"  # review only; x264's faster presets cost 3-5x the CPU

__all__ = ["ReviewMovie", "write_thumbnail"]


class ReviewMovie:
    """H.264 at the shot's exact rate; odd sizes are padded by repeating the edge."""

    def __init__(self, path: Path, size: Resolution, rate: Fraction) -> None:
        self.size = Resolution(size.width + size.width % 2, size.height + size.height % 2)
        self.path = path
        self.rate = rate
        self._writer: H264Writer | None = H264Writer(path, self.size, rate, crf=REVIEW_CRF, preset=REVIEW_PRESET)
        self.settings = dict(self._writer.settings)

    def write(self, rgb8: np.ndarray) -> None:
        assert self._writer is not None
        height, width = rgb8.shape[:2]
        if (width, height) != (self.size.width, self.size.height):
            rgb8 = np.pad(rgb8, ((0, self.size.height - height), (0, self.size.width - width), (0, 0)),
                          mode="edge")
        self._writer.write(rgb8)

    def close(self) -> None:
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.close()

    def abandon(self) -> None:
        """Close after a failure without letting a second error hide the first."""
        try:
            self.close()
        except Exception as exc:  # the failure already being handled is the one to report
            log.debug("closing %s after a failure: %s", self.path.name, exc)

    def step(self, **extra: Any) -> dict[str, Any]:
        return {"step": "review", "movie": self.path.name, "fps": rate_text(self.rate), **self.settings,
                "size": [self.size.width, self.size.height], **extra}


def write_thumbnail(path: Path, rgb8: np.ndarray) -> None:
    """A JPEG of ``rgb8``, at most THUMBNAIL_WIDTH wide."""
    height, width = rgb8.shape[:2]
    if width > THUMBNAIL_WIDTH:
        rgb8 = scale_rgb(rgb8, Resolution(THUMBNAIL_WIDTH, max(2, round(height * THUMBNAIL_WIDTH / width))))
    write_rgb8(path, rgb8, fmt="jpeg", quality=88)
