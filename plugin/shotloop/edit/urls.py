"""The one place where file paths and URLs are converted.

Adapters store whatever a file said (a ``file://`` URL, a plain path, a Windows drive path,
a UNC path, percent-escaped or not), so everything that touches the file system or writes
a ``target_url`` goes through here. Windows paths are recognised on any OS, because a cut
made on a Windows workstation is read on Linux render nodes and back.

Forms handled::

    /show/a b.mov            <->  file:///show/a%20b.mov
    C:\\show\\a.mov           <->  file:///C:/show/a.mov
    \\\\server\\share\\a.mov    <->  file://server/share/a.mov
    media/a b.mov (relative) <->  media/a b.mov     (kept as a plain relative path)
"""
from __future__ import annotations

import os
import posixpath
import re
from pathlib import PurePath
from urllib.parse import quote, unquote, urlsplit

__all__ = [
    "is_url",
    "is_windows_path",
    "is_absolute",
    "path_to_url",
    "url_to_path",
    "local_path",
    "join_url_dir",
]

_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_UNC = re.compile(r"^(\\\\|//)[^\\/]+[\\/]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]+):")  # 2+ chars: never a drive letter
# Characters left as they are in a URL path (RFC 3986 pchar plus '/').
_SAFE = "/:@!$&'()*+,;=-._~"


def is_url(text: str) -> bool:
    """True for ``scheme:...`` strings (``file:``, ``http:``...), False for paths."""
    return bool(_SCHEME.match(text)) and not _DRIVE.match(text)


def is_windows_path(text: str) -> bool:
    return bool(_DRIVE.match(text) or _UNC.match(text))


def is_absolute(path: str) -> bool:
    """Absolute on any OS: POSIX root, Windows drive, or UNC."""
    return path.startswith("/") or is_windows_path(path)


def path_to_url(path: str | PurePath) -> str:
    """A file URL for ``path``; relative paths stay plain relative paths (as OTIO's
    bundles write them), so they are never percent-decoded on the way back.

    Strings that already are URLs are returned unchanged.
    """
    text = str(path)
    if is_url(text):
        return text
    if is_windows_path(text):
        text = text.replace("\\", "/")
        if text.startswith("//"):  # UNC: the server is the URL's host
            server, _, rest = text[2:].partition("/")
            return f"file://{server}/{quote(rest, safe=_SAFE)}"
        return "file:///" + quote(text, safe=_SAFE)
    if text.startswith("/"):
        return "file://" + quote(text, safe=_SAFE)
    return text.replace("\\", "/")  # relative: a plain relative path, as OTIO writes them


def url_to_path(url: str, base: str | PurePath | None = None) -> str:
    """The local path a URL or stored path points at.

    Drive paths come back as ``C:/x``, UNC paths as ``//server/share/x``. A relative
    result is joined to ``base`` when one is given. Raises ``ValueError`` for URLs that
    are not ``file:`` URLs (http, s3...).
    """
    text = url.strip()
    if is_windows_path(text):
        path = text.replace("\\", "/")
    elif is_url(text):
        parts = urlsplit(text, allow_fragments=False)  # '#' is a frame token here
        if parts.scheme.lower() != "file":
            raise ValueError(f"not a local file URL: {text}")
        path = unquote(parts.path)
        host = parts.netloc
        if host and host.lower() != "localhost":
            path = f"//{host}{path}"
        elif re.match(r"^/[A-Za-z]:[\\/]", path):  # file:///C:/x
            path = path[1:]
    else:
        # A plain path as an adapter stored it (EDL FROM CLIP lines, relative bundle
        # paths): taken literally, so printf tokens like %04d survive.
        path = text
    if base is not None and path and not is_absolute(path):
        base_text = str(base)
        joined = posixpath.join(base_text.replace("\\", "/"), path) if is_windows_path(base_text) \
            else os.path.join(base_text, path)
        path = posixpath.normpath(joined) if is_windows_path(base_text) else os.path.normpath(joined)
    return path


def local_path(url: str, base: str | PurePath | None = None) -> str | None:
    """Like ``url_to_path`` but ``None`` for remote URLs and empty strings."""
    if not url:
        return None
    try:
        return url_to_path(url, base)
    except ValueError:
        return None


def join_url_dir(url_dir: str) -> str:
    """A directory URL with exactly one trailing slash (ImageSequenceReference base)."""
    return url_dir.rstrip("/") + "/"
