"""The official runwayml SDK, unchanged except for base_url, against the reference service."""
from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
import requests
import runwayml
import runwayml.lib.polling as polling
from runwayml import RunwayML

from shotloop_refservice.config import DEV_KEY

KEY_RGB = (200, 40, 90)


@pytest.fixture(autouse=True)
def fast_polling(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(polling, "POLL_TIME", 0.2)
    monkeypatch.setattr(polling, "POLL_JITTER", 0.1)


def _client(url: str, strict: bool) -> RunwayML:
    return RunwayML(api_key=DEV_KEY, base_url=url, max_retries=0, _strict_response_validation=strict)


def _decode(data: bytes, tmp_path: Path) -> tuple[list[np.ndarray], av.video.stream.VideoStream]:
    path = tmp_path / "out.mp4"
    path.write_bytes(data)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(stream)]
        return frames, stream


@pytest.mark.parametrize("strict", [False, True], ids=["lax", "strict"])
def test_upload_generate_wait_retrieve_delete(refservice, make_png, tmp_path, strict):
    client = _client(refservice.url, strict)
    keyframe = make_png("sh010_first.png", rgb=KEY_RGB, size=(320, 180))

    uri = client.uploads.create_ephemeral(file=keyframe).uri
    assert uri.startswith("runway://")

    task = client.image_to_video.create(model="gen4_turbo", prompt_image=uri, ratio="1280:720",
                                        duration=2, seed=42, prompt_text="a slow push in")
    assert task.estimated_cost.credits == 10
    done = task.wait_for_task_output(timeout=30)
    assert done.status == "SUCCEEDED"
    assert done.cost.credits == 10
    assert done.created_at.tzinfo is not None

    again = client.tasks.retrieve(task.id)
    assert again.status == "SUCCEEDED" and again.id == task.id

    response = requests.get(again.output[0], timeout=30)  # no Authorization needed
    assert response.status_code == 200
    assert response.headers["content-type"] == "video/mp4"
    frames, stream = _decode(response.content, tmp_path)
    assert len(frames) == 2 * 24
    assert (stream.width, stream.height) == (1280, 720)
    assert stream.average_rate == 24
    # Frame 0 is the uploaded keyframe (flat colour; compare away from the noisy edge column).
    centre = frames[0][100:620, 100:1180].reshape(-1, 3).mean(axis=0)
    assert np.all(np.abs(centre - KEY_RGB) < 4), centre

    client.tasks.delete(task.id)
    with pytest.raises(runwayml.NotFoundError) as caught:
        client.tasks.retrieve(task.id)
    assert caught.value.body == {"error": "Could not find Task"}


@pytest.mark.parametrize("strict", [False, True], ids=["lax", "strict"])
def test_organization_and_usage(refservice, strict):
    client = _client(refservice.url, strict)
    task = client.text_to_video.create(model="gen4.5", prompt_text="a lighthouse at dusk",
                                       ratio="1280:720", duration=2, seed=1)
    org = client.organization.retrieve()
    assert org.credit_balance <= 100000 - task.estimated_cost.credits
    assert org.tier.models["gen4.5"].max_concurrent_generations == 4
    assert org.usage.models["gen4.5"].daily_generations >= 1
    usage = client.organization.retrieve_usage()
    assert "gen4.5" in usage.models


def test_failed_task_raises_task_failed_error(refservice, make_png):
    client = _client(refservice.url, strict=True)
    uri = client.uploads.create_ephemeral(file=make_png()).uri
    task = client.image_to_video.create(model="gen4_turbo", prompt_image=uri, ratio="960:960",
                                        duration=2, seed=3,
                                        prompt_text="[[fault:fail SAFETY.INPUT.TEXT]] hello")
    with pytest.raises(runwayml.TaskFailedError) as caught:
        task.wait_for_task_output(timeout=30)
    details = caught.value.task_details
    assert details.status == "FAILED"
    assert details.failure_code == "SAFETY.INPUT.TEXT"
    assert details.failure and details.cost.credits == 10


def test_sdk_errors_map_to_status_classes(refservice):
    bad_key = RunwayML(api_key="not-the-key", base_url=refservice.url, max_retries=0)
    with pytest.raises(runwayml.AuthenticationError):
        bad_key.organization.retrieve()
    client = _client(refservice.url, strict=True)
    with pytest.raises(runwayml.BadRequestError) as caught:
        client.text_to_video.create(model="gen4.5", prompt_text="x" * 1001, ratio="1280:720",
                                    duration=5)
    assert caught.value.body["issues"][0]["path"] == ["promptText"]


def test_sdk_default_retries_make_duplicate_creates(make_refservice):
    """What the reference warns about: a 5xx after create, retried by the SDK, bills twice."""
    service = make_refservice()
    client = RunwayML(api_key=DEV_KEY, base_url=service.url, max_retries=2)
    with pytest.raises(runwayml.InternalServerError):
        client.text_to_video.create(model="gen4.5", ratio="1280:720", duration=2, seed=9,
                                    prompt_text="[[fault:status_after_create 500]] a storm")
    stats = service.stats()
    assert stats["creates"] == 3
    assert stats["duplicate_creates"] == 2
    assert stats["creates_answered_with_fault"] == 3
    attempts = service.requests(path="/v1/text_to_video")
    assert [r["retryCount"] for r in attempts] == [0, 1, 2]
    assert [r["attempt"] for r in attempts] == [1, 2, 3]


def test_async_client_round_trip_and_cancelled_branch(make_refservice):
    """The async client works too, and raises on CANCELLED (the sync one keeps polling)."""
    import asyncio

    from runwayml import AsyncRunwayML

    service = make_refservice(cancelled_visible=True)

    async def scenario() -> None:
        client = AsyncRunwayML(api_key=DEV_KEY, base_url=service.url, max_retries=0,
                               _strict_response_validation=True)
        done = await (await client.text_to_video.create(
            model="veo3.1_fast", prompt_text="waves", ratio="1280:720", duration=4, seed=2,
        )).wait_for_task_output(timeout=30)
        assert done.status == "SUCCEEDED" and done.output
        doomed = await client.text_to_video.create(model="gen4.5", prompt_text="x", ratio="720:1280",
                                                   duration=2, seed=3)
        await client.tasks.delete(doomed.id)
        assert (await client.tasks.retrieve(doomed.id)).status == "CANCELLED"
        with pytest.raises(runwayml.TaskFailedError):
            await doomed.wait_for_task_output(timeout=30)
        await client.close()

    asyncio.run(scenario())
