"""Names that may become folder and file names in the version store.

Shot and label names arrive from hosts, cuts and servers. None of them becomes a path
until it has passed ``safe_name``: no separators, no "..", no hidden or reserved names,
only ``[A-Za-z0-9_.-]``.
"""
from __future__ import annotations

import re

from ..errors import NameInvalid

__all__ = ["safe_name", "MAX_NAME_LENGTH"]

MAX_NAME_LENGTH = 128

_ALLOWED = re.compile(r"[A-Za-z0-9_.-]+")
# Names Windows refuses as files whatever the extension; a store may live on a share.
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL"}
    | {f"COM{i}" for i in range(1, 10)}
    | {f"LPT{i}" for i in range(1, 10)}
)


def safe_name(text: str, *, field: str = "name", shot: str | None = None) -> str:
    """Return ``text`` unchanged if it is safe as one path component, else raise.

    Raises ``NameInvalid`` (a ``ShotLoopError`` and a ``ValueError``) naming the field.
    Nothing is silently rewritten: a renamed shot would no longer match its cut.
    """
    if not isinstance(text, str):
        raise NameInvalid(f"must be text, got {type(text).__name__}", shot=shot, field=field,
                          fix="pass the shot or label name as a string")
    shown = repr(text[:40])
    problem = ""
    if not text:
        problem = "is empty"
    elif len(text) > MAX_NAME_LENGTH:
        problem = f"{shown}... is longer than {MAX_NAME_LENGTH} characters"
    elif "/" in text or "\\" in text:
        problem = f"{shown} contains a path separator"
    elif ".." in text:
        problem = f"{shown} contains '..'"
    elif not _ALLOWED.fullmatch(text):
        bad = sorted({c for c in text if not _ALLOWED.fullmatch(c)})
        problem = f"{shown} contains characters other than A-Z a-z 0-9 _ . - ({''.join(bad)!r})"
    elif text.startswith("."):
        problem = f"{shown} starts with '.', which the store keeps for its own folders"
    elif text.endswith("."):
        problem = f"{shown} ends with '.', which Windows drops from file names"
    elif text.split(".")[0].upper() in _RESERVED:
        problem = f"{shown} is a reserved device name on Windows"
    if problem:
        raise NameInvalid(problem, shot=shot, field=field,
                          fix="use only letters, digits, '_', '-' and single '.' (e.g. sh010)")
    return text
