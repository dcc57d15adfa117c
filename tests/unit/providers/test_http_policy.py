"""Retry policy: Retry-After parsing, backoff bounds, what is retried and what never is."""
from __future__ import annotations

import email.utils
import random
import socket
import threading

import pytest
import requests

from shotloop.providers.http import (RetryPolicy, SentButUnknown, TransportFailed,
                                     backoff_delay, is_connect_failure, is_loopback_url,
                                     parse_retry_after, send_once, send_retrying, strip_query)

NOW = 1_800_000_000.0


def response(status: int, headers: dict[str, str] | None = None) -> requests.Response:
    made = requests.Response()
    made.status_code = status
    made.headers.update(headers or {})
    made._content = b"{}"
    made._content_consumed = True
    return made


@pytest.mark.parametrize("headers, expected", [
    ({"Retry-After": "3"}, 3.0),
    ({"retry-after": "2.5"}, 2.5),
    ({"Retry-After": "0"}, 0.0),
    ({"Retry-After": "120"}, 120.0),  # above 60 s: honoured (the SDK would ignore it)
    ({"retry-after-ms": "1500"}, 1.5),
    ({"Retry-After": "9", "Retry-After-Ms": "250"}, 0.25),  # the ms header wins
    ({"Retry-After": email.utils.formatdate(NOW + 42, usegmt=True)}, 42.0),
    ({"Retry-After": email.utils.formatdate(NOW - 42, usegmt=True)}, 0.0),  # past date: now
    ({"Retry-After": "-5"}, None),
    ({"Retry-After": "soon"}, None),
    ({"retry-after-ms": "nan"}, None),
    ({"retry-after-ms": "x", "Retry-After": "4"}, 4.0),
    ({}, None),
])
def test_parse_retry_after(headers, expected):
    got = parse_retry_after(headers, now=NOW)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected, abs=1e-6)


class Extreme(random.Random):
    """A random source that always answers one end of the range."""

    def __init__(self, high: bool) -> None:
        super().__init__(0)
        self.high = high

    def uniform(self, a: float, b: float) -> float:
        return b if self.high else a


def test_backoff_doubles_from_one_second_and_caps_at_sixty():
    policy = RetryPolicy()
    low = [backoff_delay(policy, n, Extreme(False)) for n in range(9)]
    assert low == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    high = [backoff_delay(policy, n, Extreme(True)) for n in range(9)]
    assert high == [1.5 * d for d in low]  # at most 50 % jitter on top


def test_backoff_jitter_stays_within_zero_to_fifty_percent():
    policy, rng = RetryPolicy(), random.Random(1234)
    for n in range(10):
        base = min(60.0, 2.0 ** n)
        samples = [backoff_delay(policy, n, rng) for _ in range(300)]
        assert all(base <= s <= base * 1.5 for s in samples)
        assert max(samples) - min(samples) > base * 0.3  # jitter actually spreads


def test_server_hint_is_used_as_given():
    assert backoff_delay(RetryPolicy(), 3, random.Random(0), retry_after=7.0) == 7.0


def test_policy_refuses_nonsense():
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(jitter=2)


def run_retrying(answers, policy=RetryPolicy(max_attempts=4, base_s=0.5)):
    sleeps: list[float] = []
    calls = iter(answers)

    def send():
        item = next(calls)
        if isinstance(item, Exception):
            raise item
        return item

    result = send_retrying(send, policy, rng=Extreme(False), sleep=sleeps.append, what="t")
    return result, sleeps


def test_safe_call_retries_5xx_and_honours_retry_after():
    result, sleeps = run_retrying([response(503, {"Retry-After": "2"}), response(502),
                                   response(200)])
    assert result.status_code == 200
    assert sleeps == [2.0, 1.0]  # server hint, then base 0.5 s doubled for retry 1


def test_safe_call_returns_last_answer_when_attempts_run_out():
    result, sleeps = run_retrying([response(500)] * 4)
    assert result.status_code == 500 and len(sleeps) == 3


def test_long_retry_after_is_reported_not_slept():
    result, sleeps = run_retrying([response(429, {"Retry-After": "3600"}), response(200)])
    assert result.status_code == 429 and sleeps == []


def test_conclusive_statuses_are_not_retried():
    for status in (400, 401, 403, 404, 422):
        result, sleeps = run_retrying([response(status), response(200)])
        assert result.status_code == status and sleeps == []


def test_connection_problems_on_safe_calls_are_retried_then_reported():
    timeout = requests.exceptions.ReadTimeout("slow")
    result, sleeps = run_retrying([timeout, requests.exceptions.ConnectionError("reset"),
                                   response(200)])
    assert result.status_code == 200 and len(sleeps) == 2
    with pytest.raises(TransportFailed) as caught:
        run_retrying([timeout] * 4)
    assert caught.value.timeout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_refused_connection_counts_as_nothing_sent():
    port = free_port()
    with pytest.raises(requests.exceptions.ConnectionError) as caught:
        requests.post(f"http://127.0.0.1:{port}/v1/x", json={}, timeout=2)
    assert is_connect_failure(caught.value)
    assert is_connect_failure(requests.exceptions.ConnectTimeout("connect"))
    assert not is_connect_failure(requests.exceptions.ReadTimeout("read"))


def test_once_only_call_retries_a_refused_connect_but_not_a_dropped_one():
    port = free_port()
    tries = [0]

    def refused():
        tries[0] += 1
        return requests.post(f"http://127.0.0.1:{port}/v1/x", json={}, timeout=2)

    sleeps: list[float] = []
    with pytest.raises(TransportFailed):
        send_once(refused, RetryPolicy(max_attempts=3, base_s=0), rng=random.Random(0),
                  sleep=sleeps.append, what="create")
    assert tries[0] == 3 and len(sleeps) == 2

    # A server that reads the request and hangs up: the create may have happened.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    seen: list[bytes] = []

    def hang_up():
        conn, _ = listener.accept()
        seen.append(conn.recv(65536))
        conn.close()

    worker = threading.Thread(target=hang_up, daemon=True)
    worker.start()
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/v1/x"
    tries[0] = 0

    def dropped():
        tries[0] += 1
        return requests.post(url, json={"a": 1}, timeout=5)

    with pytest.raises(SentButUnknown) as caught:
        send_once(dropped, RetryPolicy(max_attempts=3, base_s=0), rng=random.Random(0),
                  sleep=sleeps.append, what="create")
    worker.join(timeout=5)
    listener.close()
    assert tries[0] == 1 and not caught.value.timeout
    assert seen and b"POST /v1/x" in seen[0]


def test_once_only_call_reports_read_timeout_as_unknown():
    def slow():
        raise requests.exceptions.ReadTimeout("read timed out")

    with pytest.raises(SentButUnknown) as caught:
        send_once(slow, RetryPolicy(), rng=random.Random(0), sleep=lambda s: None, what="c")
    assert caught.value.timeout


def test_loopback_and_query_helpers():
    assert is_loopback_url("http://127.0.0.1:8000/x")
    assert is_loopback_url("http://localhost/x")
    assert is_loopback_url("http://[::1]:80/")
    assert not is_loopback_url("https://api.dev.runwayml.com")
    assert not is_loopback_url("http://10.0.0.1/")
    assert strip_query("https://cdn.example.com/a/b.mp4?_jwt=abc#x") == \
        "https://cdn.example.com/a/b.mp4"
