"""What an input file really is, read from its first bytes (no media library needed).

Providers accept a few image formats (PNG, JPEG, WebP; never GIF) and video containers,
and the type a data URI or an upload claims must match the bytes. Extensions lie; headers
don't. Dimensions come from the image header so a bad keyframe is refused before any
credit is spent.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

__all__ = ["MediaInfo", "sniff", "HEADER_BYTES"]

HEADER_BYTES = 64 * 1024  # JPEG SOF markers can sit behind large EXIF blocks


@dataclass(frozen=True)
class MediaInfo:
    """``kind`` is "image", "video" or "" (unknown); ``format`` a short name ("png")."""

    kind: str
    format: str
    media_type: str
    width: int = 0
    height: int = 0


UNKNOWN = MediaInfo("", "", "application/octet-stream")


def sniff(path: Path) -> MediaInfo:
    """Identify ``path`` from its header. Unknown or unreadable headers give ``kind=""``."""
    with path.open("rb") as handle:
        head = handle.read(HEADER_BYTES)
    return sniff_bytes(head)


def sniff_bytes(head: bytes) -> MediaInfo:
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _png(head)
    if head.startswith(b"\xff\xd8"):
        return _jpeg(head)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return _webp(head)
    if head[:4] in (b"GIF8",):
        return MediaInfo("image", "gif", "image/gif")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return MediaInfo("video", "mov", "video/quicktime")
        return MediaInfo("video", "mp4", "video/mp4")
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return MediaInfo("video", "webm", "video/webm")
    return UNKNOWN


def _png(head: bytes) -> MediaInfo:
    if len(head) < 24 or head[12:16] != b"IHDR":
        return MediaInfo("image", "png", "image/png")
    width, height = struct.unpack(">II", head[16:24])
    return MediaInfo("image", "png", "image/png", width, height)


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _jpeg(head: bytes) -> MediaInfo:
    pos = 2
    while pos + 4 <= len(head):
        if head[pos] != 0xFF:
            break
        marker = head[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", head[pos + 2:pos + 4])
        if marker in _SOF and pos + 9 <= len(head):
            height, width = struct.unpack(">HH", head[pos + 5:pos + 9])
            return MediaInfo("image", "jpeg", "image/jpeg", width, height)
        if marker == 0xDA:  # start of scan: no frame header found before the data
            break
        pos += 2 + length
    return MediaInfo("image", "jpeg", "image/jpeg")


def _webp(head: bytes) -> MediaInfo:
    chunk = head[12:16]
    try:
        if chunk == b"VP8 " and head[23:26] == b"\x9d\x01\x2a":
            width, height = struct.unpack("<HH", head[26:30])
            return MediaInfo("image", "webp", "image/webp", width & 0x3FFF, height & 0x3FFF)
        if chunk == b"VP8L" and head[20] == 0x2F:
            bits = int.from_bytes(head[21:25], "little")
            return MediaInfo("image", "webp", "image/webp",
                             (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        if chunk == b"VP8X":
            width = int.from_bytes(head[24:27], "little") + 1
            height = int.from_bytes(head[27:30], "little") + 1
            return MediaInfo("image", "webp", "image/webp", width, height)
    except (IndexError, struct.error):
        pass
    return MediaInfo("image", "webp", "image/webp")
