"""What ShotLoop's Runway provider does for every fault the reference service can inject.

Faults come from prompt markers (``[[fault:KIND ...]]``, for creates and tasks) or from
rules scoped to one task's path (GETs, DELETEs, downloads, storage POSTs). Each test
asserts the provider's outcome and counts what the service saw in /_mock/requests.
"""
from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import pytest

from shotloop.errors import (CreateOutcomeUnknown, DownloadFailed, ProviderRateLimited,
                             ProviderUnavailable)
from shotloop.model import Recipe
from shotloop.providers.runway import RunwayProvider
from shotloop_refservice.faults import KINDS, FaultRule
from tests.unit.providers.media import write_image

from tests.contract.test_provider import creates_with, fast_profile, seen, tag, wait_terminal

MAX = 50 * 2**20

# Every fault kind the service knows is exercised below; this list keeps it that way.
COVERED = {"status", "drop", "status_after_create", "drop_after_create", "slow", "throttle",
           "fail", "output_expired", "output_truncated", "output_corrupt", "output_404",
           "output_wrong_type", "upload_fail"}


def test_every_fault_kind_is_covered():
    assert set(KINDS) == COVERED


@pytest.fixture
def provider(refservice):
    made = RunwayProvider(fast_profile(refservice.url))
    yield made
    made.close()


@pytest.fixture
def impatient(refservice):
    """A provider whose read timeout (1 s) is shorter than a ``slow`` fault (2.5 s)."""
    made = RunwayProvider(fast_profile(refservice.url, timeout_s=1.0))
    yield made
    made.close()


@pytest.fixture
def keyframe(make_png):
    return make_png("key.png", size=(160, 96))


def recipe(marker: str = "", mark: str = "") -> Recipe:
    return Recipe(model="gen4_turbo", prompt=f"{marker} fault test {mark}".strip(), seed=1,
                  duration=2)


# ----------------------------------------------------------------------------- creates


@pytest.mark.parametrize("wait", [7, 90])
def test_429_on_create_is_rate_limited_with_retry_after(refservice, provider, keyframe, wait):
    mark = tag()
    with pytest.raises(ProviderRateLimited) as caught:
        provider.submit(recipe(f"[[fault:status 429 retry_after={wait}]]", mark),
                        {"first": keyframe}, shot="sh010")
    assert caught.value.retry_after == wait  # above 60 s too
    assert caught.value.status == 429 and "no task" in caught.value.fix
    assert [c["status"] for c in creates_with(refservice, "image_to_video", mark)] == [429]


@pytest.mark.parametrize("marker, outcome", [
    ("status 503", "fault:status"),
    ("status 500", "fault:status"),
    ("drop", "dropped"),
    ("status_after_create 502", "fault:status_after_create"),
    ("drop_after_create", "dropped"),
])
def test_ambiguous_create_is_unknown_and_sent_once(refservice, provider, keyframe, marker,
                                                   outcome):
    mark = tag()
    before = refservice.stats()
    with pytest.raises(CreateOutcomeUnknown) as caught:
        provider.submit(recipe(f"[[fault:{marker}]]", mark), {"first": keyframe}, shot="sh010")
    assert caught.value.shot == "sh010" and "never resends" in caught.value.fix
    creates = creates_with(refservice, "image_to_video", mark)
    assert len(creates) == 1 and creates[0]["outcome"] == outcome  # exactly ONE create
    after = refservice.stats()
    assert after["duplicate_creates"] == before["duplicate_creates"]
    if "after_create" in marker:  # the task exists although the client cannot know
        assert after["creates_answered_with_fault"] == before["creates_answered_with_fault"] + 1


def test_slow_create_times_out_as_unknown(refservice, impatient, keyframe):
    mark = tag()
    with pytest.raises(CreateOutcomeUnknown) as caught:
        impatient.submit(recipe("[[fault:slow 2.5]]", mark), {"first": keyframe}, shot="sh010")
    assert "no answer in time" in caught.value.problem
    assert len(creates_with(refservice, "image_to_video", mark)) == 1


# ----------------------------------------------------------------------------- polls


def submitted(provider: RunwayProvider, keyframe: Path, marker: str = "") -> str:
    return provider.submit(recipe(marker, tag()), {"first": keyframe}, shot="sh020").task_id


@pytest.mark.parametrize("rule", [
    dict(kind="status", status=503, times=2),
    dict(kind="status", status=502, retry_after=0.2, times=1),
    dict(kind="status", status=429, retry_after=0.1, times=1),
    dict(kind="drop", times=1),
])
def test_failing_gets_are_retried_then_succeed(refservice, provider, keyframe, rule):
    task_id = submitted(provider, keyframe)
    path = f"/v1/tasks/{task_id}"
    refservice.faults.add(FaultRule(method="GET", path=path, **rule))
    status = provider.poll(task_id)
    assert status.state in ("queued", "running", "succeeded")
    gets = seen(refservice, path, "GET")
    assert len(gets) == rule["times"] + 1 and gets[-1]["status"] == 200


def test_slow_get_is_retried(refservice, impatient, keyframe):
    task_id = submitted(impatient, keyframe)
    path = f"/v1/tasks/{task_id}"
    refservice.faults.add(FaultRule("slow", seconds=2.5, method="GET", path=path, times=1))
    assert impatient.poll(task_id).state in ("queued", "running", "succeeded")
    assert len(seen(refservice, path, "GET")) == 2


def test_long_retry_after_on_get_is_reported_not_slept(refservice, provider, keyframe):
    task_id = submitted(provider, keyframe)
    path = f"/v1/tasks/{task_id}"
    refservice.faults.add(FaultRule("status", status=429, retry_after=3600, method="GET",
                                    path=path, times=1))
    with pytest.raises(ProviderRateLimited) as caught:
        provider.poll(task_id)
    assert caught.value.retry_after == 3600
    assert len(seen(refservice, path, "GET")) == 1


def test_gets_give_up_after_the_configured_attempts(refservice, provider, keyframe):
    task_id = submitted(provider, keyframe)
    path = f"/v1/tasks/{task_id}"
    refservice.faults.add(FaultRule("status", status=503, method="GET", path=path, times=None))
    with pytest.raises(ProviderUnavailable):
        provider.poll(task_id)
    assert len(seen(refservice, path, "GET")) == provider.profile.retry_attempts


def test_failing_delete_is_retried(refservice, provider, keyframe):
    task_id = submitted(provider, keyframe, "[[fault:throttle 30]]")
    path = f"/v1/tasks/{task_id}"
    refservice.faults.add(FaultRule("status", status=503, method="DELETE", path=path, times=1))
    provider.cancel(task_id)
    assert [d["status"] for d in seen(refservice, path, "DELETE")] == [503, 204]
    assert provider.poll(task_id).state == "cancelled"


def test_throttled_stays_queued(refservice, provider, keyframe):
    task_id = submitted(provider, keyframe, "[[fault:throttle 1]]")
    final, history = wait_terminal(provider, task_id)
    throttled = [h for h in history if h.remote_status == "THROTTLED"]
    assert throttled and all(h.state == "queued" for h in throttled)
    assert final.state == "succeeded"


@pytest.mark.parametrize("code, retryable, words", [
    ("SAFETY.INPUT.TEXT", False, "moderation"),
    ("SAFETY.OUTPUT.VIDEO", False, "moderation"),
    ("ASSET.INVALID", False, "constraints"),
    ("INTERNAL", True, "internal error"),
    ("THIRD_PARTY.UNAVAILABLE", True, "unavailable"),
])
def test_failed_tasks_are_classified(refservice, provider, keyframe, code, retryable, words):
    task_id = submitted(provider, keyframe, f"[[fault:fail {code}]]")
    final, _ = wait_terminal(provider, task_id)
    assert (final.state, final.failure_code, final.retryable) == ("failed", code, retryable)
    assert words in final.failure.lower() and final.credits is not None
    if code.startswith("SAFETY"):
        assert "did not pass" not in final.failure  # the service's own text is not echoed


# ----------------------------------------------------------------------------- downloads


@pytest.fixture(scope="module")
def finished(refservice, tmp_path_factory):
    """One succeeded task shared by the download tests, and a clean copy of its output."""
    provider = RunwayProvider(fast_profile(refservice.url))
    key = write_image(tmp_path_factory.mktemp("keys") / "key.png", 160, 96)
    task_id = provider.submit(recipe("", tag()), {"first": key}, shot="sh030").task_id
    final, _ = wait_terminal(provider, task_id)
    clean = provider.fetch(final.outputs[0], tmp_path_factory.mktemp("clean") / "clean.mp4",
                           max_bytes=MAX)
    yield provider, task_id, clean
    provider.close()


def output_rule(refservice, task_id: str, kind: str) -> None:
    refservice.faults.add(FaultRule(kind, path=f"/_out/{task_id}.mp4", times=1))


def fresh_url(provider: RunwayProvider, task_id: str) -> str:
    status = provider.poll(task_id)
    assert status.state == "succeeded"
    return status.outputs[0]


def assert_nothing_left(dest: Path) -> None:
    assert not dest.exists()
    assert not dest.parent.exists() or list(dest.parent.iterdir()) == []  # no partial file


@pytest.mark.parametrize("kind, status", [("output_expired", 403), ("output_404", 404)])
def test_expired_or_missing_output_is_retryable(refservice, finished, tmp_path, kind, status):
    provider, task_id, clean = finished
    output_rule(refservice, task_id, kind)
    first_url = fresh_url(provider, task_id)
    dest = tmp_path / "dl" / "take.mp4"
    with pytest.raises(DownloadFailed) as caught:
        provider.fetch(first_url, dest, max_bytes=MAX)
    assert caught.value.retryable and caught.value.status == status
    assert "_jwt" not in caught.value.message
    assert_nothing_left(dest)
    second_url = fresh_url(provider, task_id)  # poll again: fresh signed URL
    assert second_url != first_url
    again = provider.fetch(second_url, dest, max_bytes=MAX)
    assert again.sha256 == clean.sha256


def test_truncated_output_leaves_no_file(refservice, finished, tmp_path):
    provider, task_id, clean = finished
    output_rule(refservice, task_id, "output_truncated")
    dest = tmp_path / "dl" / "take.mp4"
    with pytest.raises(DownloadFailed) as caught:
        provider.fetch(fresh_url(provider, task_id), dest, max_bytes=MAX)
    assert caught.value.retryable
    assert_nothing_left(dest)


def test_corrupt_output_is_downloaded_with_its_checksum(refservice, finished, tmp_path):
    provider, task_id, clean = finished
    output_rule(refservice, task_id, "output_corrupt")
    download = provider.fetch(fresh_url(provider, task_id), tmp_path / "bad.mp4", max_bytes=MAX)
    data = download.path.read_bytes()
    assert download.size == len(data) == clean.size
    assert download.sha256 == hashlib.sha256(data).hexdigest() != clean.sha256
    # Not a movie: ingest decodes it and flags it; the provider only vouches for the bytes.


def test_wrong_content_type_is_refused(refservice, finished, tmp_path):
    provider, task_id, _ = finished
    output_rule(refservice, task_id, "output_wrong_type")
    dest = tmp_path / "dl" / "take.mp4"
    with pytest.raises(DownloadFailed) as caught:
        provider.fetch(fresh_url(provider, task_id), dest, max_bytes=MAX)
    assert not caught.value.retryable and "text/html" in caught.value.problem
    assert_nothing_left(dest)


def test_size_cap(refservice, finished, tmp_path):
    provider, task_id, clean = finished
    dest = tmp_path / "dl" / "take.mp4"
    with pytest.raises(DownloadFailed) as caught:
        provider.fetch(fresh_url(provider, task_id), dest, max_bytes=clean.size - 1)
    assert not caught.value.retryable and "max_download_mb" in caught.value.fix
    assert_nothing_left(dest)


# ----------------------------------------------------------------------------- uploads


def test_failed_storage_post_gets_a_new_slot(refservice, make_png):
    uploader = RunwayProvider(fast_profile(refservice.url, inline_max_mb=0))
    name = f"up_{uuid.uuid4().hex[:8]}.png"
    key = make_png(name, size=(320, 180))
    assert key.stat().st_size >= 512  # big enough to be uploaded, not inlined
    refservice.faults.add(FaultRule("upload_fail", times=1))
    try:
        uri = uploader.upload(key)
    finally:
        uploader.close()
    slots = [s for s in seen(refservice, "/v1/uploads", "POST") if s["body"]["filename"] == name]
    stores = [s for s in seen(refservice, "/_storage/upload", "POST")
              if s["body"]["files"][0]["filename"] == name]
    assert len(slots) == 2 and [s["status"] for s in stores] == [500, 204]
    keys = [s["body"]["fields"]["key"] for s in stores]
    assert keys[0] != keys[1]  # the failed slot was never replayed
    assert uri.startswith("runway://") and keys[1] in uri
