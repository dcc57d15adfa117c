"""Turn an asset field (runway://, data: or https URI) into a local, checked file.

The rules are the API's (reference section 5): https only, no IP hosts, at most 2048
characters; data URIs base64 with a matching media type and within the size caps;
runway:// URIs issued here and not expired. Remote URLs are never fetched: a URL prefix
can be mapped to a local folder (``ServiceConfig.url_roots``), anything else is a 400.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import unquote, urlsplit

from shotloop.errors import ShotLoopError
from shotloop.providers import runway_models

from .media import IMAGE_MIMES, MediaUnreadable, Probe, probe, sniff, sniff_file
from .uploads import UploadStore

_EXT = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp", "video/mp4": ".mp4",
        "video/quicktime": ".mov", "video/webm": ".webm"}
_ALIASES = {"image/jpg": "image/jpeg"}


@dataclass(frozen=True)
class Asset:
    path: Path
    kind: str
    mime: str
    digest: str
    probe: Probe


class AssetRejected(ShotLoopError):
    """The asset cannot be used; the message says why, for the 400 issue."""

    code = "asset_rejected"


class AssetResolver:
    def __init__(self, uploads: UploadStore, inputs_dir: Path, url_roots: Mapping[str, str]) -> None:
        self._uploads = uploads
        self._inputs = inputs_dir
        self._url_roots = dict(url_roots)
        self._lock = threading.Lock()
        self._probes: dict[tuple[str, str], Probe] = {}

    def resolve(self, uri: Any, kind: str) -> Asset:
        """A checked local file of ``kind`` ("image" or "video"), or AssetRejected."""
        if not isinstance(uri, str) or not uri:
            raise AssetRejected("Expected a non-empty string URI")
        if uri.startswith("runway://"):
            path = self._from_upload(uri)
        elif uri.startswith("data:"):
            path = self._from_data_uri(uri, kind)
        elif uri.lower().startswith(("http://", "https://")):
            path = self._from_url(uri)
        else:
            raise AssetRejected("Invalid asset URI: expected an https URL, a runway:// URI "
                                "or a base64 data: URI")
        return self._checked(path, kind)

    def _from_upload(self, uri: str) -> Path:
        if len(uri) > runway_models.RUNWAY_URI_MAX:
            raise AssetRejected("runway:// URI is too long")
        upload, problem = self._uploads.lookup(uri)
        if upload is None or upload.path is None:
            raise AssetRejected(f"Invalid asset URI: {problem}")
        return upload.path

    def _from_data_uri(self, uri: str, kind: str) -> Path:
        cap = runway_models.IMAGE_DATA_URI_MAX if kind == "image" else runway_models.VIDEO_DATA_URI_MAX
        if len(uri) > cap:
            raise AssetRejected(f"Data URI is too large: {len(uri)} characters, at most {cap}")
        head, sep, payload = uri[5:].partition(",")
        params = head.split(";")
        mime = _ALIASES.get(params[0].lower(), params[0].lower())
        if not sep or "base64" not in params[1:]:
            raise AssetRejected("Invalid data URI: expected data:<media type>;base64,<data>")
        if not mime.startswith(f"{kind}/"):
            raise AssetRejected(f"Invalid data URI: media type {mime or 'missing'} is not {kind}/*")
        try:
            data = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise AssetRejected("Invalid data URI: the payload is not valid base64") from exc
        sniffed = sniff(data[:32])
        if sniffed.mime != mime:
            raise AssetRejected(f"Invalid data URI: declared {mime} but the data is {sniffed.mime}")
        digest = hashlib.sha256(data).hexdigest()
        path = self._inputs / f"{digest}{_EXT.get(mime, '.bin')}"
        if not path.exists():
            self._inputs.mkdir(parents=True, exist_ok=True)
            # One temp name per request: two requests with the same image decode at once.
            partial = path.with_name(f"{path.name}.{uuid.uuid4().hex}.part")
            partial.write_bytes(data)
            partial.replace(path)
        return path

    def _from_url(self, uri: str) -> Path:
        if len(uri) > runway_models.URL_MAX or len(uri) < 13:
            raise AssetRejected(f"Invalid URL: must be 13 to {runway_models.URL_MAX} characters")
        parts = urlsplit(uri)
        if parts.scheme.lower() != "https":
            raise AssetRejected("Invalid URL: only HTTPS URLs are allowed")
        host = parts.hostname or ""
        if not host:
            raise AssetRejected("Invalid URL: no host")
        if _is_ip(host):
            raise AssetRejected("Invalid URL: the host must be a domain name, not an IP address")
        for prefix, folder in self._url_roots.items():
            if uri.startswith(prefix):
                return self._mapped(folder, unquote(uri[len(prefix):].split("?", 1)[0]))
        raise AssetRejected(f"Failed to fetch asset from {parts.scheme}://{host}: the reference "
                            "service does not fetch remote URLs; upload the file instead")

    def _mapped(self, folder: str, relative: str) -> Path:
        root = Path(folder).resolve()
        path = (root / relative).resolve()
        if root not in path.parents or not path.is_file():
            raise AssetRejected("Failed to fetch asset: the server answered 404")
        return path

    def _checked(self, path: Path, kind: str) -> Asset:
        sniffed = sniff_file(path)
        if sniffed.kind != kind:
            raise AssetRejected(f"Asset is not a supported {kind} (found {sniffed.mime})")
        if kind == "image" and sniffed.mime not in IMAGE_MIMES:
            raise AssetRejected(f"Unsupported image format {sniffed.mime}; use JPEG, PNG or WebP")
        digest = _file_digest(path)
        with self._lock:
            known = self._probes.get((digest, kind))
        if known is None:
            try:
                known = probe(path, kind)
            except MediaUnreadable as exc:
                raise AssetRejected(f"Asset {exc}") from exc
            with self._lock:
                self._probes[(digest, kind)] = known
        return Asset(path, kind, sniffed.mime, digest, known)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _file_digest(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()
