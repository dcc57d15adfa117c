"""RunwayProvider against the real reference service on loopback.

Every test drives the provider the way the agent does (validate, upload, submit, poll,
fetch, cancel) and checks the outcome twice: in what the provider returns, and in what
the service saw (GET /_mock/requests).
"""
from __future__ import annotations

import hashlib
import logging
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import av
import pytest
import requests

from shotloop.errors import ProviderAuthFailed, ProviderRejected, RecipeInvalid, TaskLost
from shotloop.model import Endpoint, KeyframeMode, Recipe
from shotloop.providers.base import Provider, TaskStatus
from shotloop.providers.registry import load_provider
from shotloop.providers.runway import RunwayProvider
from shotloop.secrets import REFERENCE_DEV_KEY
from shotloop.settings import Profile, load_settings

DEADLINE_S = 30.0


def fast_profile(url: str, **changes: Any) -> Profile:
    """The reference profile pointed at ``url``, with loopback-only fast timings."""
    base = Profile(name="reference", kind="runway", base_url=url, key="dev",
                   poll_interval_s=0.05, retry_attempts=4, retry_base_s=0.01, timeout_s=10)
    return replace(base, **changes)


def seen(service, path: str, method: str | None = None) -> list[dict]:
    """What the service journaled for ``path`` (through its HTTP inspection endpoint)."""
    params = {"path": path}
    if method:
        params["method"] = method
    answer = requests.get(f"{service.url}/_mock/requests", params=params, timeout=5)
    answer.raise_for_status()
    return answer.json()["requests"]


def creates_with(service, endpoint: str, tag: str) -> list[dict]:
    return [r for r in seen(service, f"/v1/{endpoint}", "POST")
            if isinstance(r["body"], dict) and tag in str(r["body"].get("promptText", ""))]


def wait_terminal(provider: Provider, task_id: str, deadline_s: float = DEADLINE_S) \
        -> tuple[TaskStatus, list[TaskStatus]]:
    """Poll at the provider's own cadence until the task ends (with a deadline)."""
    started = time.monotonic()
    history: list[TaskStatus] = []
    while True:
        status = provider.poll(task_id)
        history.append(status)
        if status.terminal:
            return status, history
        elapsed = time.monotonic() - started
        if elapsed > deadline_s:
            raise AssertionError(f"task {task_id} not finished after {deadline_s} s: {status}")
        time.sleep(provider.poll_interval(elapsed))


def tag() -> str:
    return uuid.uuid4().hex[:8]


def decoded_frames(path: Path) -> tuple[int, int, int]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        count = sum(1 for _ in container.decode(stream))
        return count, stream.codec_context.width, stream.codec_context.height


@pytest.fixture
def provider(refservice):
    made = RunwayProvider(fast_profile(refservice.url))
    yield made
    made.close()


def test_reference_profile_speaks_to_the_service(refservice, tmp_path):
    """Settings -> registry -> provider, with the documented dev key."""
    from shotloop_refservice.config import DEV_KEY

    assert REFERENCE_DEV_KEY == DEV_KEY
    (tmp_path / "shotloop.toml").write_text("[profiles.reference]\nconcurrency = 3\n")
    settings = load_settings(tmp_path, env={}, user_file=tmp_path / "shotloop.toml")
    profile = replace(settings.profile("reference"), base_url=refservice.url)
    provider = load_provider(profile)
    try:
        account = provider.account()
        assert account.credit_balance > 0
        assert "gen4_turbo" in account.max_concurrent
        assert all(v is None or v >= 1 for v in account.max_concurrent.values())
    finally:
        provider.close()


def test_upload_image_to_video_poll_and_fetch(refservice, make_png, tmp_path):
    uploader = RunwayProvider(fast_profile(refservice.url, inline_max_mb=0))  # force uploads
    key = make_png("sh010_first.png", size=(320, 180))
    mark = tag()
    recipe = Recipe(model="gen4_turbo", prompt=f"slow push in {mark}", seed=42,
                    ratio="1280:720", duration=2)
    sent: list[dict] = []
    try:
        uploads_before = len(seen(refservice, "/v1/uploads", "POST"))
        submission = uploader.submit(recipe, {"first": key}, shot="sh010",
                                     before_send=lambda body: sent.append(dict(body)))
        assert sent == [dict(submission.body)]  # the hook saw exactly what went out
        assert submission.body["promptImage"].startswith("runway://")
        assert submission.estimated_credits == 10  # gen4_turbo: 5 credits/s x 2 s

        slots = seen(refservice, "/v1/uploads", "POST")[uploads_before:]
        assert [s["body"]["filename"] for s in slots] == ["sh010_first.png"]
        stores = [s for s in seen(refservice, "/_storage/upload", "POST")
                  if s["body"]["fields"]["key"] in submission.body["promptImage"]]
        assert len(stores) == 1 and stores[0]["auth"] == "none"  # no key to the storage host
        assert [f["filename"] for f in stores[0]["body"]["files"]] == ["sh010_first.png"]
        creates = creates_with(refservice, "image_to_video", mark)
        assert len(creates) == 1 and creates[0]["auth"] == "bearer"
        assert creates[0]["headers"]["x-runway-version"] == "2024-11-06"

        final, history = wait_terminal(uploader, submission.task_id)
        assert final.state == "succeeded" and final.credits == 10
        assert {h.state for h in history} <= {"queued", "running", "succeeded"}
        progress = [h.progress for h in history]
        assert progress == sorted(progress) and progress[-1] == 1.0

        download = uploader.fetch(final.outputs[0], tmp_path / "out" / "take.mp4",
                                  max_bytes=50 * 2**20)
        data = download.path.read_bytes()
        assert download.size == len(data) > 0
        assert download.sha256 == hashlib.sha256(data).hexdigest()
        assert download.content_type == "video/mp4"
        assert "?" not in download.url and download.url.endswith(f"{submission.task_id}.mp4")
        assert decoded_frames(download.path) == (2 * refservice.config.fps, 1280, 720)
        gets = seen(refservice, f"/_out/{submission.task_id}.mp4", "GET")
        assert gets and all(g["auth"] == "none" for g in gets)  # no key to the output host
        assert list(download.path.parent.iterdir()) == [download.path]  # no leftovers
    finally:
        uploader.close()


def test_first_and_last_keyframes_inline(refservice, provider, make_png, tmp_path):
    first = make_png("first.png", rgb=(200, 40, 90))
    last = make_png("last.png", rgb=(20, 90, 200))
    mark = tag()
    recipe = Recipe(model="veo3.1_fast", prompt=f"turn around {mark}", ratio="1280:720",
                    duration=4, seed=7, keyframes=KeyframeMode.FIRST_LAST,
                    options={"audio": False})
    slots_before = len(seen(refservice, "/v1/uploads", "POST"))
    submission = provider.submit(recipe, {"first": first, "last": last}, shot="sh020")
    images = submission.body["promptImage"]
    assert [i["position"] for i in images] == ["first", "last"]
    assert all(i["uri"].startswith("data:image/png;base64,") for i in images)
    assert len(creates_with(refservice, "image_to_video", mark)) == 1
    assert len(seen(refservice, "/v1/uploads", "POST")) == slots_before  # small: no upload
    final, _ = wait_terminal(provider, submission.task_id)
    assert final.state == "succeeded"
    download = provider.fetch(final.outputs[0], tmp_path / "k.mp4", max_bytes=50 * 2**20)
    assert decoded_frames(download.path)[0] == 4 * refservice.config.fps


def test_text_to_video(refservice, provider, tmp_path):
    mark = tag()
    recipe = Recipe(model="gen4.5", prompt=f"a storm over the harbour {mark}",
                    endpoint=Endpoint.TEXT_TO_VIDEO, ratio="720:1280", duration=2, seed=3)
    submission = provider.submit(recipe, {}, shot="sh030")
    assert "promptImage" not in submission.body
    final, _ = wait_terminal(provider, submission.task_id)
    assert final.state == "succeeded"
    download = provider.fetch(final.outputs[0], tmp_path / "t.mp4", max_bytes=50 * 2**20)
    assert decoded_frames(download.path) == (2 * refservice.config.fps, 720, 1280)


def test_video_to_video(refservice, provider, make_mp4, tmp_path):
    clip = make_mp4("proxy.mp4", frames=12, fps=12, size=(160, 96))
    mark = tag()
    recipe = Recipe(model="aleph2", prompt=f"make it rain {mark}",
                    endpoint=Endpoint.VIDEO_TO_VIDEO, ratio="1280:720", seed=11)
    submission = provider.submit(recipe, {"video": clip}, shot="sh040")
    assert submission.body["videoUri"].startswith("data:video/mp4;base64,")
    final, _ = wait_terminal(provider, submission.task_id)
    assert final.state == "succeeded"
    download = provider.fetch(final.outputs[0], tmp_path / "v.mp4", max_bytes=50 * 2**20)
    frames, width, height = decoded_frames(download.path)
    assert (width, height) == (1280, 720) and frames == 12


def test_same_recipe_same_bytes(refservice, provider, make_png, tmp_path):
    """The service is deterministic, so two takes of one recipe hash the same."""
    key = make_png("same.png")
    recipe = Recipe(model="gen4_turbo", prompt="determinism", seed=5, duration=2)
    hashes = []
    for index in range(2):
        submission = provider.submit(recipe, {"first": key}, shot="sh050")
        final, _ = wait_terminal(provider, submission.task_id)
        hashes.append(provider.fetch(final.outputs[0], tmp_path / f"{index}.mp4",
                                     max_bytes=50 * 2**20).sha256)
    assert hashes[0] == hashes[1]


def test_cancel_then_poll_and_cancel_again(refservice, provider, make_png):
    key = make_png("cancel.png")
    mark = tag()
    recipe = Recipe(model="gen4_turbo", prompt=f"[[fault:throttle 30]] {mark}", duration=2)
    submission = provider.submit(recipe, {"first": key}, shot="sh060")
    status = provider.poll(submission.task_id)
    assert status.state == "queued"
    provider.cancel(submission.task_id)
    assert provider.poll(submission.task_id).state == "cancelled"  # 404 after our DELETE
    provider.cancel(submission.task_id)  # a repeated DELETE (404) is still done
    deletes = seen(refservice, f"/v1/tasks/{submission.task_id}", "DELETE")
    assert [d["status"] for d in deletes] == [204, 404]


def test_unknown_task_is_lost_not_cancelled(refservice, provider):
    ghost = str(uuid.uuid4())
    lost = provider.poll(ghost)
    assert lost.state == "lost" and lost.terminal and lost.failure
    with pytest.raises(TaskLost):
        provider.cancel(ghost)


def test_invalid_recipe_spends_nothing(refservice, provider, make_png):
    key = make_png("bad.png")
    mark = tag()
    with pytest.raises(RecipeInvalid) as caught:
        provider.submit(Recipe(model="gen4_turbo", prompt=mark, duration=11), {"first": key},
                        shot="sh070")
    assert caught.value.field == "recipe.duration"
    assert creates_with(refservice, "image_to_video", mark) == []


def test_service_refusals_are_conclusive(refservice, make_png):
    """A model the service does not know: 400 mapped to the field; a wrong key: 401."""
    key = make_png("refused.png")
    studio = RunwayProvider(fast_profile(refservice.url, custom_models={"house_v9": "gen4_turbo"}))
    mark = tag()
    try:
        with pytest.raises(ProviderRejected) as caught:
            studio.submit(Recipe(model="house_v9", prompt=mark, duration=2), {"first": key},
                          shot="sh080")
        assert caught.value.field == "recipe.model" and caught.value.status == 400
        assert len(creates_with(refservice, "image_to_video", mark)) == 1
    finally:
        studio.close()


def test_wrong_key_is_refused_without_echoing_it(refservice, monkeypatch, caplog):
    monkeypatch.setenv("SHOTLOOP_TEST_WRONG_KEY", "not-the-dev-key-0451")
    outsider = RunwayProvider(fast_profile(refservice.url, key="env:SHOTLOOP_TEST_WRONG_KEY"))
    try:
        with caplog.at_level(logging.DEBUG), pytest.raises(ProviderAuthFailed) as caught:
            outsider.account()
        assert caplog.records and "0451" not in caplog.text
        assert caught.value.status == 401 and caught.value.field == "key"
        assert "0451" not in caught.value.message
        assert "env:SHOTLOOP_TEST_WRONG_KEY" in caught.value.fix
    finally:
        outsider.close()
