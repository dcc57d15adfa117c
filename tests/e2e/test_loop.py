"""The whole round trip over real HTTP: plate → agent → reference service → published version."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import OpenImageIO as oiio
import pytest

from shotloop.errors import ShotLoopError
from shotloop.media.synth import write_exr_plate
from shotloop.model import (Endpoint, FrameRange, JobRequest, JobState, KeyframeMode, Recipe,
                            Resolution, ReviewStatus, Shot)
from shotloop.publish.run import ValidationFailed
from shotloop.publish.send import send
from shotloop.sequence import frame_path

W, H = 320, 180


def make_shot(tmp_path: Path, name: str, first: int = 1001, last: int = 1024, fps: float = 24.0) -> Shot:
    pattern = write_exr_plate(tmp_path / "plates" / name, name, first, last, W, H)
    return Shot(name=name, source=pattern, frame_range=FrameRange(first, last), fps=fps,
                resolution=Resolution(W, H), colorspace="ACEScg")


def recipe(**kw) -> Recipe:
    data = dict(model="gen4_turbo", prompt="a bright orb over the sea", endpoint=Endpoint.IMAGE_TO_VIDEO,
                keyframes=KeyframeMode.FIRST, seed=42, ratio="1280:720", duration=2)
    data.update(kw)
    return Recipe(**data)


def read_frame(path: Path) -> np.ndarray:
    buf = oiio.ImageBuf(str(path))
    assert not buf.has_error, buf.geterror()
    return buf.get_pixels(oiio.FLOAT)


def submit(agent, shots, root: Path, **recipe_kw):
    requests = [JobRequest(shot=s, recipe=recipe(**recipe_kw), store_root=str(root)) for s in shots]
    results = send(requests, agent.api)
    assert not [r for r in results if isinstance(r, ShotLoopError)], results
    return [r.job_id for r in results]


def test_plate_goes_out_and_comes_back_as_a_published_version(agent, tmp_path):
    shot = make_shot(tmp_path, "sh010")
    root = tmp_path / "shotloop"
    (job,) = agent.wait_final(submit(agent, [shot], root))
    assert job.state is JobState.PUBLISHED, job.reason
    assert job.version == 1

    folder = root / "sh010" / "gen" / "v001"
    frames = sorted(folder.glob("sh010_gen_v001.*.exr"))
    assert [p.name for p in frames] == [f"sh010_gen_v001.{f}.exr" for f in range(1001, 1025)]
    spec = oiio.ImageInput.open(str(frames[0])).spec()
    assert (spec.width, spec.height, spec.nchannels) == (W, H, 3)
    assert spec.format == oiio.TypeDesc("half")
    pixels = read_frame(frames[0])
    assert np.isfinite(pixels).all() and pixels.mean() > 0.01  # a real picture, scene-linear

    doc = json.loads((folder / "version.json").read_text())
    text = json.dumps(doc)
    assert "shotloop-dev-key" not in text and "_jwt" not in text
    prov = doc["provenance"]
    assert prov["seed"] == 42 and prov["request"]["seed"] == 42 and prov["model"] == "gen4_turbo"
    assert prov["remote_task_id"] == job.remote_task_id
    assert prov["request"]["promptImage"].startswith("data:image/png;sha256=")
    assert prov["output"]["url"].endswith(".mp4") and len(prov["output"]["sha256"]) == 64
    assert prov["source_plate"]["colorspace"] == "ACEScg" and prov["conform"]
    versions = agent.api.versions("sh010", root=str(root))
    assert [v.number for v in versions] == [1]
    assert Path(versions[0].movie).is_file() and Path(versions[0].thumbnail).is_file()
    assert versions[0].frame_range == FrameRange(1001, 1024)


def test_replay_with_the_same_seed_gives_identical_frames(agent, tmp_path):
    shot = make_shot(tmp_path, "sh020")
    root = tmp_path / "shotloop"
    (first,) = agent.wait_final(submit(agent, [shot], root))
    assert first.state is JobState.PUBLISHED, first.reason
    replay = agent.api.replay("sh020", "gen", 1, root=str(root))
    (second,) = agent.wait_final([replay.job_id])
    assert second.state is JobState.PUBLISHED and second.version == 2
    for frame in (1001, 1012, 1024):
        a = read_frame(root / "sh020/gen/v001" / f"sh020_gen_v001.{frame}.exr")
        b = read_frame(root / "sh020/gen/v002" / f"sh020_gen_v002.{frame}.exr")
        assert np.array_equal(a, b)


def test_review_status_reaches_ledger_and_version_json(agent, tmp_path):
    shot = make_shot(tmp_path, "sh030")
    root = tmp_path / "shotloop"
    (job,) = agent.wait_final(submit(agent, [shot], root))
    assert job.state is JobState.PUBLISHED, job.reason
    _, before = agent.api.events(0, wait_s=0)
    v = agent.api.review("sh030", "gen", 1, ReviewStatus.APPROVED, "hero take", root=str(root))
    assert v.review is ReviewStatus.APPROVED and v.note == "hero take"
    doc = json.loads((root / "sh030/gen/v001/version.json").read_text())
    assert doc["review"]["status"] == "approved" and doc["review"]["note"] == "hero take"
    events, _ = agent.api.events(before, wait_s=5)
    assert any(e.kind == "version.review" for e in events)


def test_invalid_shots_are_all_reported_and_nothing_is_sent(agent, tmp_path):
    good = make_shot(tmp_path, "sh040")
    broken = make_shot(tmp_path, "sh050")
    frame_path(broken.source, 1010).unlink()
    before = len(agent.api.jobs())
    requests = [JobRequest(shot=good, recipe=recipe(duration=12), store_root=str(tmp_path)),
                JobRequest(shot=broken, recipe=recipe(), store_root=str(tmp_path))]
    with pytest.raises(ValidationFailed) as info:
        send(requests, agent.api)
    fields = sorted((e.shot, e.field) for e in info.value.errors)
    assert fields == [("sh040", "recipe.duration"), ("sh050", "shot.source")]
    assert "1010" in info.value.message
    assert len(agent.api.jobs()) == before


def test_cancel_a_running_job(agent, tmp_path):
    shot = make_shot(tmp_path, "sh060")
    (job_id,) = submit(agent, [shot], tmp_path / "shotloop", prompt="slow one [[fault:throttle 30]]")
    agent.api.cancel(job_id)
    (job,) = agent.wait_final([job_id], deadline_s=30)
    assert job.state is JobState.CANCELLED
    assert not (tmp_path / "shotloop" / "sh060").exists() or not list((tmp_path / "shotloop/sh060").rglob("*.exr"))
