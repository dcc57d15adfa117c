"""Runway's HTTP surface: authenticated calls, the create-once rule, and error mapping.

``RunwayApi`` knows nothing about recipes. Safe calls (GET, DELETE, asking for an upload
slot) go through ``send_retrying``; task creates go through ``send_once`` and are never
repeated once a byte may have reached the server (reference section 7.3). Error bodies
are redacted before they become part of a message.
"""
from __future__ import annotations

import logging
import random
import re
from typing import Any, Callable, Mapping
from urllib.parse import quote

import requests

from .. import __version__
from ..errors import (CreateOutcomeUnknown, ProviderAuthFailed, ProviderError, ProviderRejected,
                      ProviderRateLimited, ProviderUnavailable, redact)
from . import runway_models as rm
from .http import RetryPolicy, SentButUnknown, TransportFailed, parse_retry_after, send_once, \
    send_retrying

log = logging.getLogger(__name__)

__all__ = ["RunwayApi", "error_for", "issue_field", "task_path"]

# The ledger field a person checks when a create's outcome is unknown.
UNKNOWN_FIELD = "job.remote_task_id"
_TASK_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")

# Body keys as ShotLoop names them, for turning a 400's issue path into a field name.
_FIELD_OF = {
    "model": "recipe.model",
    "promptText": "recipe.prompt",
    "ratio": "recipe.ratio",
    "duration": "recipe.duration",
    "seed": "recipe.seed",
    "promptImage": "inputs.first",
    "videoUri": "inputs.video",
    "promptVideo": "inputs.video",
}


def task_path(task_id: str) -> str:
    """``/v1/tasks/<id>``; refuses ids that could escape the path."""
    if not isinstance(task_id, str) or not _TASK_ID.fullmatch(task_id):
        raise ProviderError("the task id is not a plain identifier", field="remote_task_id",
                            fix="check the ledger entry; ids are UUIDs from the service")
    return f"/v1/tasks/{quote(task_id, safe='')}"


def issue_field(path: Any) -> str | None:
    """The ShotLoop field behind a zod-style issue path such as ``["promptText"]``."""
    if not isinstance(path, list) or not path:
        return None
    head = str(path[0])
    if head == "promptImage" and len(path) > 1 and isinstance(path[1], int):
        return "inputs.last" if path[1] == 1 else "inputs.first"
    return _FIELD_OF.get(head, f"recipe.options.{head}")


def _server_message(response: requests.Response) -> tuple[str, str | None]:
    """A short, redacted summary of an error body, and the first issue's field."""
    try:
        data = response.json()
    except (ValueError, RecursionError):  # RecursionError: absurdly nested JSON
        return redact(response.text.strip()[:200]) or response.reason or "", None
    if not isinstance(data, Mapping):
        return redact(str(data)[:200]), None
    message = str(data.get("error") or data.get("message") or "")
    field = None
    issues = data.get("issues")
    if isinstance(issues, list) and issues:
        parts = []
        for issue in issues[:3]:
            if isinstance(issue, Mapping):
                where = ".".join(str(p) for p in issue.get("path") or [])
                parts.append(f"{where}: {issue.get('message', '')}".strip(": "))
                field = field or issue_field(issue.get("path"))
        message = f"{message} ({'; '.join(parts)})" if parts else message
    return redact(message)[:400], field


def error_for(response: requests.Response, *, what: str, shot: str | None = None,
              key_spec: str = "") -> ProviderError:
    """The ShotLoop error for a final non-2xx answer to a conclusive call."""
    status = response.status_code
    message, field = _server_message(response)
    said = f": {message}" if message else ""
    if status in (401, 403):
        return ProviderAuthFailed(
            f"{what} was refused by the service (HTTP {status}){said}", status=status, shot=shot,
            field="key", fix=f"check the API key stored at {key_spec or 'the profile key'} and "
                             f"the profile's base_url")
    if status == 429:
        wait = parse_retry_after(response.headers)
        when = f"after {wait:.0f} s" if wait is not None else "later"
        return ProviderRateLimited(
            f"{what} was rate limited (HTTP 429){said}", status=status, retry_after=wait,
            shot=shot, fix=f"try again {when}; no task was created")
    if status >= 500 or status == 408:
        return ProviderUnavailable(f"{what} failed: the service answered HTTP {status}{said}",
                                   status=status, shot=shot, fix="try again later",
                                   retry_after=parse_retry_after(response.headers))
    return ProviderRejected(f"{what} was rejected (HTTP {status}){said}", status=status,
                            shot=shot, field=field or "request",
                            fix="correct the recipe or inputs; nothing was charged")


class RunwayApi:
    """Authenticated JSON calls against one base URL."""

    def __init__(self, base_url: str, key: str | None, *, policy: RetryPolicy,
                 timeout: tuple[float, float], rng: random.Random,
                 sleep: Callable[[float], None], trust_env: bool, key_spec: str = "") -> None:
        self.base_url = base_url.rstrip("/")
        self.policy = policy
        self.timeout = timeout
        self.rng = rng
        self.sleep = sleep
        self.key_spec = key_spec
        self.session = requests.Session()
        self.session.trust_env = trust_env  # loopback: no proxies, no .netrc credentials
        self.session.headers.update({
            "Accept": "application/json",
            "User-Agent": f"ShotLoop/{__version__}",
            "X-Runway-Version": rm.API_VERSION,
        })
        if key:
            self.session.headers["Authorization"] = f"Bearer {key}"

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def close(self) -> None:
        self.session.close()

    def send(self, method: str, path: str, *, json: Any = None, what: str,
             counter: list[int] | None = None) -> requests.Response:
        """A call that is safe to repeat; returns the final response (any status)."""
        url = self.url(path)

        def attempt() -> requests.Response:
            if counter is not None:
                counter[0] += 1
            return self.session.request(method, url, json=json, timeout=self.timeout)

        try:
            return send_retrying(attempt, self.policy, rng=self.rng, sleep=self.sleep, what=what)
        except TransportFailed as exc:
            raise ProviderUnavailable(f"{exc.problem}", fix="check that the service is reachable "
                                      "and try again") from None

    def json(self, method: str, path: str, *, body: Any = None, what: str,
             shot: str | None = None) -> Any:
        """``send`` plus error mapping and JSON decoding for a 2xx answer."""
        response = self.send(method, path, json=body, what=what)
        if not 200 <= response.status_code < 300:
            raise error_for(response, what=what, shot=shot, key_spec=self.key_spec)
        try:
            return response.json()
        except (ValueError, RecursionError):
            raise ProviderUnavailable(f"{what}: the service answered with something that is "
                                      f"not JSON", status=response.status_code, shot=shot,
                                      fix="try again later") from None

    def create(self, path: str, body: Mapping[str, Any], *, what: str, shot: str) -> Mapping[str, Any]:
        """POST a task-creating body exactly once; return the decoded 2xx answer.

        Conclusive refusals raise ProviderRejected / ProviderAuthFailed /
        ProviderRateLimited (no task exists). Anything that leaves a task possibly
        created raises CreateOutcomeUnknown.
        """
        url = self.url(path)
        unknown_fix = ("check the service's dashboard or usage for a new task before sending "
                       "again; ShotLoop never resends a create on its own (it could bill twice)")
        # A fresh connection: a pooled keep-alive one that the server is just closing
        # would break after the body was sent and leave the outcome unknown for nothing.
        fresh = requests.Session()
        fresh.trust_env = self.session.trust_env
        fresh.headers.update(self.session.headers)
        try:
            response = send_once(
                lambda: fresh.post(url, json=dict(body), timeout=self.timeout),
                self.policy, rng=self.rng, sleep=self.sleep, what=what)
        except SentButUnknown as exc:
            why = "no answer in time" if exc.timeout else "the connection broke"
            raise CreateOutcomeUnknown(f"{what}: {why} after the request was sent; a task may "
                                       f"or may not exist", shot=shot, fix=unknown_fix,
                                       field=UNKNOWN_FIELD, detail=exc.problem) from None
        except TransportFailed as exc:
            raise ProviderUnavailable(f"{exc.problem}; nothing was sent", shot=shot,
                                      fix="check that the service is reachable and try again") \
                from None
        finally:
            fresh.close()  # the response body is already read (not streamed)
        status = response.status_code
        if 200 <= status < 300:
            try:
                data = response.json()
            except (ValueError, RecursionError):
                data = None
            if isinstance(data, Mapping) and isinstance(data.get("id"), str):
                return data
            raise CreateOutcomeUnknown(f"{what}: HTTP {status} without a task id; a task may "
                                       f"or may not exist", status=status, shot=shot,
                                       field=UNKNOWN_FIELD, fix=unknown_fix)
        if status >= 500:
            message, _ = _server_message(response)
            said = f": {message}" if message else ""
            raise CreateOutcomeUnknown(f"{what}: the service answered HTTP {status}{said}; a "
                                       f"task may or may not exist", status=status, shot=shot,
                                       field=UNKNOWN_FIELD, fix=unknown_fix)
        raise error_for(response, what=what, shot=shot, key_spec=self.key_spec)
