"""Getting an input file to Runway: inline as a data URI, or through an upload slot.

Small files travel inline (``data:<type>;base64,...``). Larger ones use the upload flow
(reference sections 2.6 and 8.1): ``POST /v1/uploads`` returns a presigned storage
target; the file goes there as a multipart POST with the returned fields first and no
Authorization header. A failed storage POST is never replayed against the same slot:
ShotLoop asks for a new slot instead.
"""
from __future__ import annotations

import base64
import logging
import re
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit

import requests

from ..errors import ProviderUnavailable, RecipeInvalid
from . import runway_models as rm
from .http import backoff_delay, is_loopback_url
from .runway_api import RunwayApi
from .sniff import MediaInfo, sniff

log = logging.getLogger(__name__)

__all__ = ["data_uri", "upload_filename", "upload_file", "to_uri"]


def data_uri(path: Path, media_type: str) -> str:
    return f"data:{media_type};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def upload_filename(path: Path, info: MediaInfo) -> str:
    """A plain basename for the slot request (the service sees only this)."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", path.stem).strip("._") or "input"
    ext = {"jpeg": "jpg"}.get(info.format, info.format) or "bin"
    return f"{stem[:80]}.{ext}"


def _check_target(api: RunwayApi, target: Mapping[str, Any]) -> tuple[str, dict[str, str], str]:
    upload_url = target.get("uploadUrl")
    fields = target.get("fields")
    uri = target.get("runwayUri")
    if not (isinstance(upload_url, str) and isinstance(fields, Mapping) and isinstance(uri, str)
            and uri.startswith("runway://")):
        raise ProviderUnavailable("the upload slot answer is incomplete", field="inputs",
                                  fix="try again later")
    scheme = urlsplit(upload_url).scheme
    if scheme != "https" and not (scheme == "http" and is_loopback_url(upload_url)
                                  and is_loopback_url(api.base_url)):
        raise ProviderUnavailable("the upload slot points to a non-https address",
                                  field="inputs", fix="check the profile's base_url")
    return upload_url, {str(k): str(v) for k, v in fields.items()}, uri


def _store(api: RunwayApi, storage: requests.Session, path: Path, name: str, media_type: str,
           upload_url: str, fields: Mapping[str, str]) -> str:
    """One storage POST; returns "" on success or a short reason."""
    try:
        with path.open("rb") as handle:
            parts: list[tuple[str, Any]] = [(k, (None, v)) for k, v in fields.items()]
            parts.append(("file", (name, handle, media_type)))
            response = storage.post(upload_url, files=parts, timeout=api.timeout,
                                    allow_redirects=False)
    except (requests.exceptions.ConnectionError, requests.exceptions.Timeout) as exc:
        return type(exc).__name__
    with response:
        if 200 <= response.status_code < 300:
            return ""
        return f"HTTP {response.status_code}"


def upload_file(api: RunwayApi, storage: requests.Session, path: Path, info: MediaInfo) -> str:
    """Upload ``path`` through fresh slots until one storage POST succeeds; the runway:// URI."""
    name = upload_filename(path, info)
    reasons = []
    for attempt in range(api.policy.max_attempts):
        target = api.json("POST", "/v1/uploads", body={"filename": name, "type": "ephemeral"},
                          what="asking for an upload slot")
        upload_url, fields, uri = _check_target(api, target)
        reason = _store(api, storage, path, name, info.media_type, upload_url, fields)
        if not reason:
            return uri
        reasons.append(reason)
        if attempt < api.policy.max_attempts - 1:
            delay = backoff_delay(api.policy, attempt, api.rng)
            log.info("storage upload of %s failed (%s); new slot in %.2f s", name, reason, delay)
            api.sleep(delay)
    raise ProviderUnavailable(
        f"uploading {name} failed {len(reasons)} time(s) ({', '.join(reasons)})",
        field="inputs", fix="try again later; each attempt used a new upload slot")


def to_uri(api: RunwayApi, storage: requests.Session, path: Path, *, inline_max_bytes: int,
           shot: str = "", field: str = "inputs") -> str:
    """A data URI for small files, a runway:// URI otherwise."""
    path = Path(path)
    info = sniff(path)
    if info.kind not in ("image", "video"):
        raise RecipeInvalid(f"{path.name} is not a recognised image or video", shot=shot,
                            field=field, fix="send a PNG/JPEG/WebP image or an MP4 proxy")
    size = path.stat().st_size
    limit = rm.IMAGE_DATA_URI_MAX if info.kind == "image" else rm.VIDEO_DATA_URI_MAX
    fits_inline = (size + 2) // 3 * 4 + 64 <= limit
    if fits_inline and (size < rm.UPLOAD_MIN_BYTES or size <= inline_max_bytes):
        return data_uri(path, info.media_type)
    if size < rm.UPLOAD_MIN_BYTES or size > rm.UPLOAD_MAX_BYTES:
        raise RecipeInvalid(f"{path.name} is {size} bytes; uploads take "
                            f"{rm.UPLOAD_MIN_BYTES} B to {rm.UPLOAD_MAX_BYTES // 2**20} MB",
                            shot=shot, field=field, fix="send a smaller or larger file")
    try:
        return upload_file(api, storage, path, info)
    except ProviderUnavailable as err:
        err.shot = err.shot or shot or None  # upload_file knows files, not shots
        raise
