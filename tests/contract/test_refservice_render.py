"""Rendered outputs are real, sized, timed and deterministic movies."""
from __future__ import annotations

import base64
import hashlib
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
import requests

from shotloop.providers import runway_models
from shotloop_refservice.config import DEV_KEY
from shotloop_refservice.render import RenderSpec, Source, render

HEADERS = {"Authorization": f"Bearer {DEV_KEY}", "X-Runway-Version": runway_models.API_VERSION}
FIRST_RGB, LAST_RGB = (200, 40, 90), (20, 160, 220)


def data_uri(path: Path, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def start(service, endpoint: str, body: dict) -> str:
    created = requests.post(f"{service.url}/v1/{endpoint}", json=body, headers=HEADERS, timeout=10)
    assert created.status_code == 200, created.text
    return created.json()["id"]


def fetch(service, task_id: str, wait_until) -> bytes:
    url = f"{service.url}/v1/tasks/{task_id}"

    def finished():
        state = requests.get(url, headers=HEADERS, timeout=10).json()
        return state if state["status"] in ("SUCCEEDED", "FAILED") else None

    state = wait_until(finished, 30, "task finished")
    assert state["status"] == "SUCCEEDED", state
    response = requests.get(state["output"][0], timeout=60)
    assert response.status_code == 200
    return response.content


def generate(service, endpoint: str, body: dict, wait_until) -> bytes:
    return fetch(service, start(service, endpoint, body), wait_until)


def decode(data: bytes, tmp_path: Path) -> tuple[list[np.ndarray], Fraction]:
    path = tmp_path / f"{hashlib.sha256(data).hexdigest()[:12]}.mp4"
    path.write_bytes(data)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264"
        assert stream.codec_context.pix_fmt == "yuv420p"
        rate = Fraction(stream.average_rate)
        return [f.to_ndarray(format="rgb24") for f in container.decode(stream)], rate


def mean_rgb(frame: np.ndarray) -> np.ndarray:
    h, w = frame.shape[:2]
    return frame[h // 8: -h // 8, w // 8: -w // 8].reshape(-1, 3).mean(axis=0)


@pytest.fixture
def keyframes(make_png):
    return make_png("first.png", FIRST_RGB, (192, 108)), make_png("last.png", LAST_RGB, (108, 192))


def i2v_body(first: Path, last: Path | None, seed: int) -> dict:
    image = data_uri(first, "image/png")
    prompt_image = image if last is None else [
        {"uri": image, "position": "first"}, {"uri": data_uri(last, "image/png"), "position": "last"}]
    return {"model": "veo3.1_fast", "promptImage": prompt_image, "ratio": "1280:720", "duration": 4,
            "seed": seed, "promptText": "a slow push in"}


def test_image_to_video_starts_on_first_and_ends_near_last(refservice, keyframes, wait_until, tmp_path):
    first, last = keyframes
    frames, rate = decode(generate(refservice, "image_to_video", i2v_body(first, last, 7), wait_until),
                          tmp_path)
    assert len(frames) == 4 * 24 and rate == 24
    assert frames[0].shape == (720, 1280, 3)
    assert np.all(np.abs(mean_rgb(frames[0]) - FIRST_RGB) < 4)
    # The last keyframe is portrait: cover-fitted, its flat colour fills the frame too.
    end = frames[-1][:, :200].reshape(-1, 3).mean(axis=0)  # left edge, away from the moving disc
    assert np.all(np.abs(end - LAST_RGB) < 6), end


def test_same_seed_same_bytes_other_seed_other_frames(refservice, keyframes, wait_until, tmp_path):
    first, _ = keyframes
    body = {"model": "gen4_turbo", "promptImage": data_uri(first, "image/png"), "ratio": "960:960",
            "duration": 2, "seed": 11, "promptText": "same seed twice"}
    ids = [start(refservice, "image_to_video", b) for b in (body, dict(body), dict(body, seed=12))]
    one, two, other = (fetch(refservice, i, wait_until) for i in ids)
    assert one == two
    assert other != one
    frames_one, _ = decode(one, tmp_path)
    frames_other, _ = decode(other, tmp_path)
    assert np.abs(frames_one[0].astype(int) - frames_other[0]).mean() < 1  # both start on the keyframe
    middle = len(frames_one) // 2
    assert np.abs(frames_one[middle].astype(int) - frames_other[middle]).mean() > 1
    # The seed-driven element is visible: mid-clip differs from the keyframe.
    assert np.abs(frames_one[middle].astype(int) - frames_one[0]).max() > 40


def test_text_to_video_depends_on_prompt_and_seed(refservice, wait_until, tmp_path):
    body = {"model": "gen4.5", "promptText": "a red kite", "ratio": "720:1280", "duration": 2, "seed": 3}
    ids = [start(refservice, "text_to_video", b) for b in (body, dict(body, promptText="a blue kite"))]
    frames, _ = decode(fetch(refservice, ids[0], wait_until), tmp_path)
    assert len(frames) == 48 and frames[0].shape == (1280, 720, 3)
    assert np.abs(frames[0].astype(int) - frames[-1]).max() > 40  # something moves
    other, _ = decode(fetch(refservice, ids[1], wait_until), tmp_path)
    assert np.abs(frames[10].astype(int) - other[10]).mean() > 1


def test_video_to_video_keeps_frame_count_and_rate(refservice, make_mp4, wait_until, tmp_path):
    clip = make_mp4("plate.mp4", frames=15, fps=12, size=(160, 96))
    body = {"model": "aleph2", "videoUri": data_uri(clip, "video/mp4"), "seed": 5, "promptText": "grade"}
    ids = [start(refservice, "video_to_video", b) for b in (body, dict(body, ratio="960:960"))]
    frames, rate = decode(fetch(refservice, ids[0], wait_until), tmp_path)
    assert len(frames) == 15 and rate == 12
    assert frames[0].shape == (96, 160, 3)
    with_ratio, _ = decode(fetch(refservice, ids[1], wait_until), tmp_path)
    assert len(with_ratio) == 15 and with_ratio[0].shape == (960, 960, 3)


def test_render_is_byte_identical_across_runs(make_png, tmp_path):
    first = make_png("k.png", FIRST_RGB, (64, 36))
    spec = RenderSpec("image_to_video", 320, 180, 24, Fraction(24), 99, "p",
                      first=Source(first, "digest-k"))
    a = render(spec, tmp_path / "a.mp4").read_bytes()
    b = render(spec, tmp_path / "b.mp4").read_bytes()
    assert a == b
    assert spec.key() == RenderSpec("image_to_video", 320, 180, 24, Fraction(24), 99, "p",
                                    first=Source(tmp_path / "elsewhere.png", "digest-k")).key()
