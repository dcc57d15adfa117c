"""Retry and backoff policy for provider HTTP calls (requests only).

Two ways to send:

* ``send_retrying``: for calls that are safe to repeat (GET, DELETE, asking for an
  upload slot). Connection problems, timeouts, 408, 429 and 5xx are retried with
  exponential backoff, honouring ``Retry-After``.
* ``send_once``: for calls that create billable work. Only a failure to *connect* (no
  byte of the request left this machine) is retried; anything after that is reported
  as ``SentButUnknown`` so the caller can say "the outcome is unknown" instead of
  risking a second charge.

Sleeping and randomness are injected, so tests run the real policy with tiny delays
through configuration and check jitter bounds with a seeded ``random.Random``.
"""
from __future__ import annotations

import email.utils
import ipaddress
import logging
import math
import random
import time
from dataclasses import dataclass
from typing import Callable, Mapping
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NewConnectionError

from ..errors import redact
from ..store.scrub import strip_query  # the one place signed URLs lose their query

log = logging.getLogger(__name__)

__all__ = [
    "RETRY_STATUSES",
    "RetryPolicy",
    "SentButUnknown",
    "TransportFailed",
    "parse_retry_after",
    "backoff_delay",
    "is_connect_failure",
    "is_loopback_host",
    "is_loopback_url",
    "send_retrying",
    "send_once",
    "strip_query",
]

# Statuses worth repeating a safe call for (Runway: 429 with backoff, 502/503/504 load
# shedding; 500 and 408 are transient too).
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff without a server hint: ``b = min(cap_s, base_s * 2**n)`` for retry n
    (0-based), then ``b * (1 + U(0, jitter))``, so each wait lies in [b, b * 1.5].

    ``max_attempts`` counts every try, the first included. A server ``Retry-After`` is
    honoured as given (seconds, HTTP date or ``retry-after-ms``, values above 60 s too);
    if it asks for more than ``max_wait_s`` the call stops retrying and reports the wait
    to the caller instead of blocking a worker that long.
    """

    max_attempts: int = 5
    base_s: float = 1.0
    cap_s: float = 60.0
    jitter: float = 0.5
    max_wait_s: float = 120.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.base_s < 0 or self.cap_s < 0 or not 0 <= self.jitter <= 1:
            raise ValueError("base_s and cap_s must be >= 0 and jitter within 0..1")


class TransportFailed(Exception):
    """A safe call could not get any HTTP answer after every attempt (internal)."""

    def __init__(self, problem: str, *, timeout: bool = False) -> None:
        super().__init__(problem)
        self.problem = problem
        self.timeout = timeout


class SentButUnknown(Exception):
    """A once-only call may have reached the server, but no usable answer came (internal)."""

    def __init__(self, problem: str, *, timeout: bool = False) -> None:
        super().__init__(problem)
        self.problem = problem
        self.timeout = timeout


def parse_retry_after(headers: Mapping[str, str], *, now: float | None = None) -> float | None:
    """Seconds the server asks us to wait, or None when it gives no usable hint.

    Reads ``retry-after-ms`` (float milliseconds) first, then ``Retry-After`` as float
    seconds or an HTTP date. Negative or unparseable values are ignored; a date in the
    past means "now" (0 s). Large values are returned as they are.
    """
    lowered = {str(k).lower(): str(v).strip() for k, v in headers.items()}
    millis = lowered.get("retry-after-ms")
    if millis:
        try:
            value = float(millis) / 1000.0
        except ValueError:
            value = math.nan
        if math.isfinite(value) and value >= 0:
            return value
    text = lowered.get("retry-after")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if math.isfinite(value):
        return value if value >= 0 else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


def backoff_delay(
    policy: RetryPolicy, retry: int, rng: random.Random, retry_after: float | None = None
) -> float:
    """Seconds to wait before retry number ``retry`` (0-based)."""
    if retry_after is not None:
        return retry_after
    base = min(policy.cap_s, policy.base_s * (2.0 ** retry))
    return base * (1.0 + rng.uniform(0.0, policy.jitter))


def is_connect_failure(exc: BaseException) -> bool:
    """True when the request never left this machine (refused, DNS, connect timeout)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError) and exc.args:
        reason = getattr(exc.args[0], "reason", None)
        return isinstance(reason, NewConnectionError)
    return False


def is_loopback_url(url: str) -> bool:
    """True for http(s) URLs on 127.0.0.0/8, ::1 or ``localhost``."""
    return is_loopback_host(urlsplit(url).hostname or "")


def is_loopback_host(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 or ``localhost``."""
    host = host.lower().strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _describe(exc: BaseException) -> str:
    return redact(f"{type(exc).__name__}: {exc}")[:300]


def send_retrying(
    send: Callable[[], requests.Response],
    policy: RetryPolicy,
    *,
    rng: random.Random,
    sleep: Callable[[float], None],
    what: str,
) -> requests.Response:
    """Call ``send`` until it gives a final answer; return that response.

    A response with a retryable status is returned as is after the last attempt, or at
    once when its ``Retry-After`` exceeds ``policy.max_wait_s``: the caller turns it into
    an error carrying the wait. Raises ``TransportFailed`` when no answer came at all.
    """
    last_problem = ""
    timed_out = False
    for attempt in range(policy.max_attempts):
        final = attempt == policy.max_attempts - 1
        try:
            response = send()
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                requests.exceptions.ChunkedEncodingError) as exc:
            last_problem = _describe(exc)
            timed_out = isinstance(exc, requests.exceptions.Timeout)
            if final:
                break
            delay = backoff_delay(policy, attempt, rng)
            log.info("%s: %s; retry %d in %.2f s", what, last_problem, attempt + 1, delay)
            sleep(delay)
            continue
        if response.status_code not in RETRY_STATUSES or final:
            return response
        hint = parse_retry_after(response.headers)
        if hint is not None and hint > policy.max_wait_s:
            return response
        delay = backoff_delay(policy, attempt, rng, hint)
        log.info("%s: HTTP %d; retry %d in %.2f s", what, response.status_code, attempt + 1, delay)
        response.close()
        sleep(delay)
    raise TransportFailed(
        f"{what}: no answer after {policy.max_attempts} attempt(s) ({last_problem})",
        timeout=timed_out,
    )


def send_once(
    send: Callable[[], requests.Response],
    policy: RetryPolicy,
    *,
    rng: random.Random,
    sleep: Callable[[float], None],
    what: str,
) -> requests.Response:
    """Send a call that must not run twice. Returns whatever response came back.

    Retries only connect failures (nothing was sent). Raises ``SentButUnknown`` for a
    timeout after connecting, a reset or a dropped connection, and ``TransportFailed``
    when every connect attempt failed.
    """
    last_problem = ""
    for attempt in range(policy.max_attempts):
        try:
            return send()
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                requests.exceptions.ChunkedEncodingError) as exc:
            if not is_connect_failure(exc):
                raise SentButUnknown(
                    f"{what}: {_describe(exc)}",
                    timeout=isinstance(exc, requests.exceptions.Timeout),
                ) from None
            last_problem = _describe(exc)
            if attempt == policy.max_attempts - 1:
                break
            delay = backoff_delay(policy, attempt, rng)
            log.info("%s: could not connect (%s); retry %d in %.2f s",
                     what, last_problem, attempt + 1, delay)
            sleep(delay)
    raise TransportFailed(
        f"{what}: could not connect after {policy.max_attempts} attempt(s) ({last_problem})"
    )
