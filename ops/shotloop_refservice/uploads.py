"""Ephemeral uploads: the /v1/uploads slot, the storage POST, and runway:// look-ups.

A slot is a presigned, S3-style form: ``fields`` carries the object key, a signed policy
token and its signature, because the storage POST has no Authorization header. A slot
is used once; the ``runway://`` URI it names works for ``upload_ttl_s`` after creation.
"""
from __future__ import annotations

import re
import secrets
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable, Mapping

from shotloop.providers import runway_models

from .media import sniff
from .signing import Signer

SLOT_TTL_S = 3600.0
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Upload:
    upload_id: str
    filename: str
    created: float
    expires: float
    state: str = "open"  # "open", "stored" or "burned"
    path: Path | None = None
    kind: str = ""
    mime: str = ""
    size: int = 0

    @property
    def uri(self) -> str:
        return f"runway://uploads/{self.upload_id}/{self.filename}"


@dataclass(frozen=True)
class StoreOutcome:
    status: int  # 204 when stored
    error: str = ""


def safe_filename(name: str) -> str:
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip("._") or "upload"
    return cleaned[:120]


class UploadStore:
    def __init__(
        self,
        root: Path,
        signer: Signer,
        ttl_s: float = float(runway_models.UPLOAD_TTL_S),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._root = root
        self._signer = signer
        self._ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._uploads: dict[str, Upload] = {}

    def open_slot(self, filename: str, upload_url: str) -> dict:
        """The body of a /v1/uploads answer."""
        now = self._clock()
        upload = Upload(secrets.token_hex(16), safe_filename(filename), now, now + self._ttl_s)
        with self._lock:
            self._uploads[upload.upload_id] = upload
        key = f"uploads/{upload.upload_id}/{upload.filename}"
        policy = self._signer.sign({"upl": upload.upload_id, "key": key}, SLOT_TTL_S)
        return {
            "uploadUrl": upload_url,
            "fields": {"key": key, "policy": policy, "signature": self._signer.mac(policy)},
            "runwayUri": upload.uri,
        }

    def slot_of(self, fields: Mapping[str, str]) -> tuple[Upload | None, str]:
        """The open slot a storage POST's fields name, or why they name none."""
        policy, key = fields.get("policy", ""), fields.get("key", "")
        if not policy or fields.get("signature") != self._signer.mac(policy):
            return None, "the upload signature does not match"
        checked = self._signer.verify(policy)
        if checked.expired:
            return None, "the upload policy has expired"
        if not checked.ok or checked.claims.get("key") != key:
            return None, "the upload policy is invalid"
        with self._lock:
            upload = self._uploads.get(str(checked.claims.get("upl")))
        if upload is None:
            return None, "the upload slot is unknown"
        if upload.state != "open":
            return None, "the upload slot was already used; ask for a new one"
        return upload, ""

    def store(self, fields: Mapping[str, str], data: bytes) -> StoreOutcome:
        upload, problem = self.slot_of(fields)
        if upload is None:
            return StoreOutcome(403, problem)
        if len(data) < runway_models.UPLOAD_MIN_BYTES:
            return StoreOutcome(400, f"EntityTooSmall: uploads must be at least "
                                     f"{runway_models.UPLOAD_MIN_BYTES} bytes")
        if len(data) > runway_models.UPLOAD_MAX_BYTES:
            return StoreOutcome(400, "EntityTooLarge: uploads must be at most 200 MB")
        folder = self._root / upload.upload_id
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / upload.filename
        path.write_bytes(data)
        sniffed = sniff(data[:32])
        stored = replace(upload, state="stored", path=path, kind=sniffed.kind,
                         mime=sniffed.mime, size=len(data))
        with self._lock:
            self._uploads[upload.upload_id] = stored
        return StoreOutcome(204)

    def burn(self, fields: Mapping[str, str]) -> None:
        """Spend a slot without storing (a failed storage POST must not be replayed)."""
        upload, _ = self.slot_of(fields)
        if upload is not None:
            with self._lock:
                self._uploads[upload.upload_id] = replace(upload, state="burned")

    def lookup(self, uri: str) -> tuple[Upload | None, str]:
        """The stored upload behind a runway:// URI, or why there is none."""
        match = re.fullmatch(r"runway://uploads/([0-9a-f]{32})/[^/]+", uri)
        with self._lock:
            upload = self._uploads.get(match.group(1)) if match else None
        if upload is None or upload.uri != uri:
            return None, "unknown runway:// URI"
        if upload.state != "stored":
            return None, "the runway:// upload was never completed"
        if upload.expires <= self._clock():
            return None, "the runway:// URI has expired; upload the file again"
        return upload, ""

    def count(self) -> dict[str, int]:
        with self._lock:
            states = [u.state for u in self._uploads.values()]
        return {state: states.count(state) for state in ("open", "stored", "burned")}

    def reset(self) -> None:
        with self._lock:
            self._uploads.clear()
