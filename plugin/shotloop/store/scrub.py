"""Make JSON-like data safe to keep: no keys, tokens, signed queries or inline media.

Used for everything the store and the ledger keep that came from outside ShotLoop's own
types: request bodies, provider answers, event payloads. ``errors.redact`` does the text;
this walks the structure, blanks values under secret-looking keys and shortens ``data:``
URIs to ``data:<type>;sha256=<hex>`` (the hash of the decoded bytes, so it matches the
hash of the file that was encoded).
"""
from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import re
import urllib.parse
from typing import Any, Mapping

from ..errors import redact

__all__ = ["REDACTED", "scrub", "shorten_data_uri", "strip_query"]

REDACTED = "***"

_SECRET_KEY = re.compile(
    r"(?i)(authori[sz]ation|api[-_]?key|apikey|secret|passw(or)?d|token|cookie|credential|signature)"
)
_SHORTENED = re.compile(r"data:[^,;]*;sha256=[0-9a-f]{64}")
_DATA_URI = re.compile(r"data:([^;,]*)((?:;[^;,]*)*),(.*)", re.DOTALL)


def shorten_data_uri(text: str) -> str:
    """``data:image/png;base64,iVBOR...`` → ``data:image/png;sha256=<hex of the bytes>``."""
    if _SHORTENED.fullmatch(text):  # already shortened (e.g. read back from the ledger)
        return text
    match = _DATA_URI.fullmatch(text)
    if not match:
        return "data:;sha256=" + hashlib.sha256(text.encode("utf-8")).hexdigest()
    media = match.group(1) or "text/plain"
    params, payload = match.group(2), match.group(3)
    if ";base64" in params.lower():
        try:
            raw = base64.b64decode(payload, validate=False)
        except (binascii.Error, ValueError):
            raw = payload.encode("utf-8")
    else:
        raw = urllib.parse.unquote_to_bytes(payload)
    return f"data:{media};sha256={hashlib.sha256(raw).hexdigest()}"


def strip_query(url: str) -> str:
    """A URL without its query string, fragment or user:password (a signed URL's secrets)."""
    if not url:
        return ""
    if url.startswith("data:"):
        return shorten_data_uri(url)
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return redact(urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", "")))


def _secret_key(key: Any) -> bool:
    return isinstance(key, str) and bool(_SECRET_KEY.search(key))


def scrub(value: Any) -> Any:
    """A copy of ``value`` as plain JSON data with secrets and inline media removed."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if _secret_key(key) and isinstance(item, (str, bytes)) and item:
                out[str(key)] = REDACTED
            else:
                out[str(key)] = scrub(item)
        return out
    if isinstance(value, (list, tuple, set, frozenset)):
        return [scrub(item) for item in value]
    if isinstance(value, enum.Enum):
        return scrub(value.value)
    if isinstance(value, bytes):
        return "bytes;sha256=" + hashlib.sha256(value).hexdigest()
    if isinstance(value, str):
        if value.startswith("data:"):
            return shorten_data_uri(value)
        return redact(value)
    return value
