"""Fetching a generated output: streamed, capped, checked and written atomically.

Rules (reference section 7.7):

* No Authorization header ever goes to the output host: downloads use their own plain
  session, never the API session.
* 403, 404 and 410 mean the signed URL expired or vanished: ``DownloadFailed`` with
  ``retryable=True``, so the runner polls the task again for fresh URLs.
* Content-Type must name media: ``video/*``, ``image/*``, ``audio/*``, or one of the
  generic binary types a CDN or bucket uses for files it cannot name
  (``application/octet-stream``, ``binary/octet-stream``, ``application/mp4``) and
  ``application/zip`` (image-sequence outputs). Anything else (HTML error pages, JSON,
  text) or a missing type is refused, not retryable: the bytes are not what was ordered.
  The media itself is checked later by ingest.
* The body is streamed to a hidden temporary file beside ``dest`` with a size cap,
  counted against Content-Length (a short body is a truncation, retryable), hashed with
  sha256, and renamed onto ``dest`` only when complete: a failed fetch leaves no file.
"""
from __future__ import annotations

import hashlib
import logging
import os
import random
import uuid
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import requests

from ..errors import DownloadFailed
from .base import Download
from .http import RetryPolicy, TransportFailed, is_loopback_url, send_retrying, strip_query

log = logging.getLogger(__name__)

__all__ = ["ACCEPTED_TYPES", "content_type_ok", "fetch_output"]

ACCEPTED_TYPES = frozenset({
    "application/octet-stream", "binary/octet-stream", "application/mp4", "application/zip",
    "application/x-zip-compressed",
})
_EXPIRED = (403, 404, 410)
_CHUNK = 1024 * 1024


def content_type_ok(value: str) -> bool:
    media = value.split(";")[0].strip().lower()
    return media.split("/")[0] in ("video", "image", "audio") or media in ACCEPTED_TYPES


def _fail(problem: str, url: str, *, retryable: bool, fix: str, status: int | None = None) \
        -> DownloadFailed:
    return DownloadFailed(f"{problem} ({strip_query(url)})", retryable=retryable, fix=fix,
                          field="output", status=status)


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback_url(url)):
        return
    raise _fail("output URL is not https", url, retryable=False,
                fix="the service must serve outputs over https")


def fetch_output(session: requests.Session, url: str, dest: Path, *, max_bytes: int,
                 policy: RetryPolicy, rng: random.Random, sleep: Callable[[float], None],
                 timeout: tuple[float, float]) -> Download:
    """Download ``url`` to ``dest``; see the module docstring for the checks."""
    _check_url(url)
    dest = Path(dest)
    try:
        response = send_retrying(
            lambda: session.get(url, stream=True, timeout=timeout, allow_redirects=True),
            policy, rng=rng, sleep=sleep, what="downloading an output")
    except TransportFailed as exc:
        raise _fail(f"no answer from the output host: {exc.problem}", url, retryable=True,
                    fix="poll the task again for fresh URLs and retry") from None
    with response:
        status = response.status_code
        if status in _EXPIRED:
            raise _fail(f"the output link has expired or is gone (HTTP {status})", url,
                        retryable=True, status=status,
                        fix="poll the task again for fresh URLs and retry")
        if status != 200:
            raise _fail(f"the output host answered HTTP {status}", url, status=status,
                        retryable=status >= 500 or status == 429,
                        fix="try again later")
        content_type = response.headers.get("Content-Type", "")
        if not content_type_ok(content_type):
            raise _fail(f"the output is {content_type or 'of no stated type'}, not media", url,
                        retryable=False, fix="check the task's outputs; ShotLoop only "
                                             "downloads video, image, audio or zip files")
        expected = _content_length(response)
        if expected is not None and expected > max_bytes:
            raise _fail(f"the output is {expected} bytes, over the {max_bytes} byte cap", url,
                        retryable=False, fix="raise max_download_mb in the profile")
        return _stream(response, url, dest, max_bytes=max_bytes, expected=expected,
                       content_type=content_type)


def _content_length(response: requests.Response) -> int | None:
    value = response.headers.get("Content-Length")
    if value is None or "Content-Encoding" in response.headers:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def _stream(response: requests.Response, url: str, dest: Path, *, max_bytes: int,
            expected: int | None, content_type: str) -> Download:
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.parent / f".{dest.name}.{uuid.uuid4().hex[:8]}.part"
    digest = hashlib.sha256()
    size = 0
    try:
        with part.open("wb") as handle:
            try:
                for chunk in response.iter_content(_CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise _fail(f"the output exceeds the {max_bytes} byte cap", url,
                                    retryable=False, fix="raise max_download_mb in the profile")
                    digest.update(chunk)
                    handle.write(chunk)
            except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.Timeout) as exc:
                raise _fail(f"the download broke off after {size} bytes "
                            f"({type(exc).__name__})", url, retryable=True,
                            fix="poll the task again for fresh URLs and retry") from None
            if expected is not None and size != expected:
                raise _fail(f"the output is truncated: {size} of {expected} bytes", url,
                            retryable=True, fix="poll the task again for fresh URLs and retry")
            if size == 0:
                raise _fail("the output is empty", url, retryable=True,
                            fix="poll the task again for fresh URLs and retry")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(part, dest)
    finally:
        part.unlink(missing_ok=True)
    log.info("downloaded %s (%d bytes)", strip_query(url), size)
    return Download(path=dest, sha256=digest.hexdigest(), size=size,
                    content_type=content_type.split(";")[0].strip().lower(),
                    url=strip_query(url))
