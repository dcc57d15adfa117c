"""The version store: numbers, staging, atomic publish, reviews, crash leftovers, races."""
from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import av
import numpy as np
import pytest

from shotloop.errors import PublishFailed, VersionNotFound
from shotloop.model import FrameRange, ReviewStatus, Version
from shotloop.store import VersionStore

from . import _workers
from .helpers import (FAKE_KEY, frame_pixels, make_job, provenance_for, read_exr, sha256_of,
                      write_frames, write_movie, write_thumbnail)

FRAMES = range(1001, 1004)
DEADLINE_S = 120.0


@pytest.fixture
def store(tmp_path: Path) -> VersionStore:
    return VersionStore(tmp_path / "shotloop")


def stage(store: VersionStore, job_id: str, *, shot: str = "sh010", label: str = "gen",
          frames=FRAMES, extras: bool = False) -> tuple[int, Path]:
    number = store.reserve(shot, label, job_id)
    staging = store.staging(shot, label, number)
    name = f"{shot}_{label}_v{number:03d}"
    write_frames(staging, name, frames)
    if extras:
        write_movie(staging / f"{name}.mp4")
        write_thumbnail(staging / f"{name}.jpg")
    return number, staging


def publish(store: VersionStore, job_id: str, **kwargs) -> Version:
    shot, label = kwargs.get("shot", "sh010"), kwargs.get("label", "gen")
    number, staging = stage(store, job_id, **kwargs)
    job = make_job(job_id, shot=shot, label=label)
    return store.publish(staging, shot, label, number, provenance_for(job, number))


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    return {p.name: (p.stat().st_ino, sha256_of(p)) for p in sorted(folder.iterdir())}


# --------------------------------------------------------------------------- publish


def test_publish_moves_a_complete_take_into_place(store: VersionStore):
    number, staging = stage(store, "job-a", extras=True)
    provenance = provenance_for(make_job("job-a"), number)
    version = store.publish(staging, "sh010", "gen", number, provenance)

    final = store.root / "sh010" / "gen" / "v001"
    assert not staging.exists() and final.is_dir()
    assert (version.shot, version.label, version.number, version.name) == ("sh010", "gen", 1, "sh010_gen_v001")
    assert version.path == str(final)
    assert version.frames == str(final / "sh010_gen_v001.####.exr")
    assert version.frame_range == FrameRange(1001, 1003)
    assert (version.fps, str(version.resolution), version.colorspace) == (24.0, "64x36", "ACEScg")
    assert (version.job_id, version.model, version.seed) == ("job-a", "gen4_turbo", 7)
    assert version.review is ReviewStatus.PENDING and version.created_at > 0
    for frame in FRAMES:
        pixels = read_exr(final / f"sh010_gen_v001.{frame:04d}.exr")
        np.testing.assert_array_equal(pixels, frame_pixels(frame))
    with av.open(version.movie) as movie:
        assert sum(1 for _ in movie.decode(video=0)) == 3
    assert Path(version.thumbnail).name == "sh010_gen_v001.jpg"

    document = json.loads((final / "version.json").read_text())
    assert document["schema"] == "shotloop.version_file/1"
    assert document["provenance"]["remote_task_id"] == "0f0e0d0c-task"
    assert store.versions("sh010") == [version] == store.versions("sh010", "gen")
    assert store.get("sh010", "gen", 1) == version
    assert store.provenance("sh010", "gen", 1)["review"]["status"] == "pending"
    assert store.shots() == ["sh010"]


def test_publish_refuses_an_existing_folder_and_changes_nothing(store: VersionStore):
    published = publish(store, "job-a")
    final = Path(published.path)
    before = snapshot(final)
    staging = store.staging("sh010", "gen", 1)  # a second attempt at the same number
    write_frames(staging, "sh010_gen_v001", [1001])
    with pytest.raises(PublishFailed, match="already published") as caught:
        store.publish(staging, "sh010", "gen", 1, provenance_for(make_job("job-a"), 1))
    assert caught.value.shot == "sh010" and caught.value.field == "version"
    assert snapshot(final) == before
    assert staging.is_dir() and (staging / "sh010_gen_v001.1001.exr").is_file()
    store.discard(staging)
    assert not staging.exists()


def test_publish_refuses_bad_staging(store: VersionStore, tmp_path: Path):
    number, staging = stage(store, "job-a", frames=[1001, 1003])
    provenance = provenance_for(make_job("job-a"), number)
    with pytest.raises(PublishFailed, match="missing"):
        store.publish(staging, "sh010", "gen", number, provenance)
    with pytest.raises(PublishFailed, match="reserved by job job-a, not job-b"):
        store.publish(staging, "sh010", "gen", number, provenance_for(make_job("job-b"), number))
    with pytest.raises(PublishFailed, match="never reserved"):
        store.publish(staging, "sh010", "gen", 7, provenance)
    with pytest.raises(PublishFailed, match="never reserved"):
        store.staging("sh010", "gen", 7)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    with pytest.raises(PublishFailed, match="not a staging folder"):
        store.publish(outside, "sh010", "gen", number, provenance)
    with pytest.raises(PublishFailed, match="not a staging folder"):
        store.discard(outside)
    assert outside.is_dir()
    empty = store.staging("sh010", "gen", number)
    with pytest.raises(PublishFailed, match="no frames"):
        store.publish(empty, "sh010", "gen", number, provenance)
    assert store.versions("sh010") == []


# --------------------------------------------------------------------------- numbers


def test_reserve_is_idempotent_per_job_and_survives_a_restart(store: VersionStore):
    assert store.reserve("sh010", "gen", "job-a") == 1
    assert store.reserve("sh010", "gen", "job-b") == 2
    assert store.reserve("sh010", "gen", "job-a") == 1
    restarted = VersionStore(store.root)
    assert restarted.reserve("sh010", "gen", "job-b") == 2
    assert restarted.reserve("sh010", "gen", "job-c") == 3
    assert restarted.reserve("sh010", "other", "job-c") == 1  # numbers are per shot and label
    assert restarted.reserve("sh020", "gen", "job-d") == 1


def test_a_restarted_agent_finds_what_its_job_already_published(store: VersionStore):
    assert store.version_of_job("sh010", "gen", "job-a") is None
    number, staging = stage(store, "job-a")
    assert store.version_of_job("sh010", "gen", "job-a") is None  # reserved, not published
    version = store.publish(staging, "sh010", "gen", number, provenance_for(make_job("job-a"), number))
    restarted = VersionStore(store.root)
    assert restarted.reserve("sh010", "gen", "job-a") == number
    assert restarted.version_of_job("sh010", "gen", "job-a") == version
    assert restarted.version_of_job("sh010", "gen", "job-b") is None


def test_numbers_are_never_reused(store: VersionStore):
    number, staging = stage(store, "job-a")
    store.discard(staging)  # the ingest failed: the number stays burnt
    assert store.reserve("sh010", "gen", "job-b") == number + 1
    published = publish(store, "job-b")
    assert published.number == 2
    assert store.reserve("sh010", "gen", "job-c") == 3
    # a version folder copied in without its reservation still counts
    copied = store.root / "sh010" / "gen" / "v010"
    copied.mkdir()
    assert store.reserve("sh010", "gen", "job-d") == 11
    assert [v.number for v in store.versions("sh010")] == [2]


def test_two_processes_racing_never_share_a_number(store: VersionStore, spawn):
    workers, each = 8, 10
    barrier, results = spawn.Barrier(workers), spawn.Queue()
    procs = [spawn.Process(target=_workers.reserve_and_publish,
                           args=(str(store.root), w, each, barrier, results)) for w in range(workers)]
    for proc in procs:
        proc.start()
    try:
        done = [pair for _ in procs for pair in results.get(timeout=DEADLINE_S)]
    finally:
        for proc in procs:
            proc.join(DEADLINE_S)
    assert all(proc.exitcode == 0 for proc in procs)
    numbers = [number for _job, number in done]
    assert len(numbers) == len(set(numbers)) == workers * each
    # each winner's number is one above a number that existed, so there are no gaps either
    assert sorted(numbers) == list(range(1, workers * each + 1))
    versions = store.versions("sh010", "gen")
    assert Counter(v.job_id for v in versions) == Counter(job for job, _ in done)
    assert {(v.job_id, v.number) for v in versions} == set(done)
    assert not any(store.staging_root.iterdir())


# --------------------------------------------------------------------------- leftovers and reading


def test_crash_leftovers_are_never_versions_and_get_cleaned(store: VersionStore):
    publish(store, "job-a")
    number, staging = stage(store, "job-b")  # crashed before the rename
    (staging / "version.json").write_text("{}")
    torn = store.root / "sh010" / "gen" / "v009"  # a folder without its version.json
    torn.mkdir()
    assert [v.number for v in store.versions("sh010")] == [1]
    with pytest.raises(VersionNotFound):
        store.get("sh010", "gen", number)
    assert store.clean_stale_staging(older_than_s=3600) == []  # too fresh to be a leftover
    assert store.clean_stale_staging() == [staging]
    assert not staging.exists()
    assert [v.number for v in store.versions("sh010")] == [1]


def test_versions_across_labels_and_shots(store: VersionStore):
    publish(store, "a", label="gen")
    publish(store, "b", label="alt")
    publish(store, "c", label="gen")
    publish(store, "d", shot="sh020")
    assert [(v.label, v.number) for v in store.versions("sh010")] == [("alt", 1), ("gen", 1), ("gen", 2)]
    assert [v.number for v in store.versions("sh010", "gen")] == [1, 2]
    assert store.versions("sh999") == []
    assert store.shots() == ["sh010", "sh020"]
    with pytest.raises(VersionNotFound):
        store.provenance("sh010", "gen", 3)


# --------------------------------------------------------------------------- reviews


def test_set_review_rewrites_only_version_json(store: VersionStore):
    version = publish(store, "job-a", extras=True)
    folder = Path(version.path)
    before = snapshot(folder)
    document = json.loads((folder / "version.json").read_text())

    approved = store.set_review("sh010", "gen", 1, ReviewStatus.APPROVED, "hero take")
    # replaced by a new file, not edited in place (checked once: a freed inode may come back)
    assert (folder / "version.json").stat().st_ino != before["version.json"][0]
    rejected = store.set_review("sh010", "gen", 1, "rejected", "flicker on frame 1002")

    after = snapshot(folder)
    assert set(after) == set(before)  # no temp file left behind
    for name in before:
        if name != "version.json":
            assert after[name] == before[name]
    assert (approved.review, approved.note) == (ReviewStatus.APPROVED, "hero take")
    assert store.get("sh010", "gen", 1) == rejected
    assert rejected.review is ReviewStatus.REJECTED
    updated = json.loads((folder / "version.json").read_text())
    assert {k: v for k, v in updated.items() if k != "review"} == {
        k: v for k, v in document.items() if k != "review"}
    assert [(h["previous"], h["status"]) for h in updated["review"]["history"]] == [
        ("pending", "approved"), ("approved", "rejected")]
    with pytest.raises(VersionNotFound):
        store.set_review("sh010", "gen", 2, ReviewStatus.APPROVED, "")


def test_clean_stale_staging_removes_review_temp_files(store: VersionStore):
    version = publish(store, "job-a")
    leftover = Path(version.path) / ".version.json.0123456789ab.tmp"
    leftover.write_text("{")
    old = leftover.stat().st_mtime - 7200
    os.utime(leftover, (old, old))
    assert store.clean_stale_staging(older_than_s=3600) == [leftover]
    assert store.get("sh010", "gen", 1) == version


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize("bad", ["../x", "a/b", "", "..", "a\\b", ".hidden", "sh 010", "sh010.",
                                 "NUL", "x" * 200, "sh:010"])
def test_store_refuses_unsafe_names_before_touching_disk(store: VersionStore, bad: str):
    with pytest.raises(ValueError):
        store.reserve(bad, "gen", "job")
    with pytest.raises(ValueError):
        store.reserve("sh010", bad, "job")
    with pytest.raises(ValueError):
        store.versions(bad)
    assert not store.root.exists()


def test_no_key_reaches_version_json(store: VersionStore):
    number, staging = stage(store, "job-a")
    provenance = provenance_for(make_job("job-a"), number,
                                request_body={"model": "gen4_turbo", "X-Api-Key": FAKE_KEY,
                                              "promptText": f"Bearer {FAKE_KEY}"})
    version = store.publish(staging, "sh010", "gen", number, provenance)
    text = (Path(version.path) / "version.json").read_text()
    assert FAKE_KEY not in text and "_jwt" not in text
