"""A small multipart/form-data reader for the storage POST (no extra dependency)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from shotloop.errors import ShotLoopError

_BOUNDARY = re.compile(r'boundary="?([^";]+)"?', re.IGNORECASE)
_PARAM = re.compile(r'(\w+)\*?="((?:[^"\\]|\\.)*)"', re.IGNORECASE)


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    content_type: str
    data: bytes


class MultipartInvalid(ShotLoopError):
    """The storage POST body is not a usable multipart form."""

    code = "multipart_invalid"


def parse(content_type: str, body: bytes) -> list[Part]:
    """The parts of a multipart body, in order."""
    match = _BOUNDARY.search(content_type or "")
    if not content_type.lower().startswith("multipart/form-data") or not match:
        raise MultipartInvalid("expected multipart/form-data with a boundary")
    delimiter = b"--" + match.group(1).encode("latin-1")
    chunks = body.split(delimiter)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise MultipartInvalid("the multipart body is incomplete")
    parts = []
    for chunk in chunks[1:-1]:
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        if chunk.endswith(b"\r\n"):
            chunk = chunk[:-2]
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise MultipartInvalid("a part has no header block")
        parts.append(_part(head.decode("utf-8", "replace"), data))
    return parts


def _part(head: str, data: bytes) -> Part:
    headers = {}
    for line in head.split("\r\n"):
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    disposition = headers.get("content-disposition", "")
    params = {k.lower(): v for k, v in _PARAM.findall(disposition)}
    if "name" not in params:
        raise MultipartInvalid("a part has no name")
    return Part(
        name=params["name"],
        filename=params.get("filename"),
        content_type=headers.get("content-type", "text/plain"),
        data=data,
    )


def summary(content_type: str, body: bytes) -> dict:
    """A journal-friendly view: text fields as they are, files by name and size."""
    try:
        parts = parse(content_type, body)
    except MultipartInvalid as exc:
        return {"multipart": "invalid", "problem": str(exc), "size": len(body)}
    view: dict = {"fields": {}, "files": []}
    for part in parts:
        if part.filename is None:
            view["fields"][part.name] = part.data.decode("utf-8", "replace")
        else:
            view["files"].append(
                {"name": part.name, "filename": part.filename,
                 "contentType": part.content_type, "size": len(part.data)}
            )
    return view
