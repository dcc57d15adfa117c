"""Provenance records (scrubbed) and recipe diffs; safe names."""
from __future__ import annotations

import base64
import hashlib
import json
import re

import pytest

from shotloop.errors import NameInvalid, ShotLoopError
from shotloop.model import EditContext, FrameRange, replace
from shotloop.store import MISSING, recipe_diff, safe_name
from shotloop.store.scrub import scrub, strip_query

from .helpers import FAKE_KEY, make_job, provenance_for

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
PNG_URI = "data:image/png;base64," + base64.b64encode(PNG_BYTES).decode()
SIGNED = "https://cdn.example.com/tasks/abc/output.mp4?_jwt=eyJhbGciOi.payload.sig&Expires=1"


def hostile_body() -> dict:
    return {
        "model": "gen4_turbo",
        "promptText": "a foggy pier at dawn",
        "seed": 42,
        "ratio": "1280:720",
        "promptImage": [{"uri": PNG_URI, "position": "first"},
                        {"uri": "runway://upload/9f8e7d6c5b4a?token=sekrit", "position": "last"}],
        "headers": {"Authorization": f"Bearer {FAKE_KEY}", "X-Runway-Version": "2024-11-06"},
        "api_key": FAKE_KEY,
        "note": f"sent with {FAKE_KEY}",
        "referenceUrl": "https://assets.example.com/ref.png?X-Amz-Signature=deadbeef",
    }


def test_provenance_never_keeps_a_key_a_signed_query_or_inline_media():
    job = make_job("job-1")
    record = provenance_for(job, 3, request_body=hostile_body(), output_url=SIGNED,
                            endpoint_url="http://127.0.0.1:8123/v1/image_to_video?debug=1")
    text = json.dumps(record)
    assert not re.search(r"key_[0-9a-f]{16,}", text)
    assert "?" not in text and "_jwt" not in text and "X-Amz-Signature" not in text
    assert "sekrit" not in text and "9f8e7d6c5b4a" not in text
    assert base64.b64encode(PNG_BYTES).decode() not in text
    request = record["request"]
    assert request["promptImage"][0]["uri"] == "data:image/png;sha256=" + hashlib.sha256(PNG_BYTES).hexdigest()
    assert request["promptImage"][1]["uri"].startswith("runway://")
    assert request["headers"] == {"Authorization": "***", "X-Runway-Version": "2024-11-06"}
    assert request["api_key"] == "***"
    assert (request["seed"], request["promptText"], request["ratio"]) == (42, "a foggy pier at dawn", "1280:720")
    assert record["output"] == {"url": "https://cdn.example.com/tasks/abc/output.mp4", "sha256": "ab" * 32}
    assert record["endpoint_url"] == "http://127.0.0.1:8123/v1/image_to_video"
    assert request["referenceUrl"] == "https://assets.example.com/ref.png"


def test_provenance_records_what_design_lists():
    edit = EditContext(timeline="reel1", track="V1", clip="sh010", rate=24.0,
                       edit_range=FrameRange(86400, 86447), source_range=FrameRange(1001, 1048))
    job = replace(make_job("job-1", batch="b7"), edit=edit, estimated_credits=30.0, attempt=2)
    record = provenance_for(job, 3)
    assert record["schema"] == "shotloop.provenance/1"
    assert (record["job_id"], record["attempt"], record["batch"], record["version_number"]) == ("job-1", 2, "b7", 3)
    assert record["shot"]["name"] == "sh010" and record["shot"]["frame_range"] == {"first": 1001, "last": 1003}
    assert record["source_plate"]["sha256"] == "cd" * 32
    assert record["edit"]["timeline"] == "reel1" and record["edit"]["edit_range"]["first"] == 86400
    assert (record["provider"], record["endpoint"], record["model"], record["seed"]) == (
        "reference", "image_to_video", "gen4_turbo", 7)
    assert record["recipe"]["prompt"] == "slow push in"
    assert record["remote_task_id"] == "0f0e0d0c-task"
    assert record["times"] == {"submitted": 1000.0, "finished": 1060.0}
    assert record["credits"] == {"estimated": 30.0, "charged": 25}
    assert [s["step"] for s in record["conform"]] == ["retime", "colour"]
    assert record["keyframes"][0]["colour"] == {"from": "ACEScg", "to": "sRGB - Display"}
    assert record["conformed"] == {"fps": 24.0, "resolution": {"width": 64, "height": 36},
                                   "colorspace": "ACEScg", "frame_range": {"first": 1001, "last": 1003}}
    assert record["shotloop_version"] == "0.1.0"
    assert record["review"] == {"status": "pending", "note": "", "history": []}
    json.dumps(record)  # JSON-ready as it is


def test_scrub_and_strip_query_helpers():
    assert strip_query("https://user:pw@cdn.example.com/a.mp4?sig=1#frag") == "https://cdn.example.com/a.mp4"
    assert strip_query("") == ""
    assert scrub({"max_tokens": 5, "token": "abc", "password": "", "nested": [{"secret": "x"}]}) == {
        "max_tokens": 5, "token": "***", "password": "", "nested": [{"secret": "***"}]}
    assert scrub(b"raw") == "bytes;sha256=" + hashlib.sha256(b"raw").hexdigest()
    assert scrub("data:text/plain,hello%20world") == (
        "data:text/plain;sha256=" + hashlib.sha256(b"hello world").hexdigest())


# --------------------------------------------------------------------------- recipe diff


def test_recipe_diff_compares_recipes_field_by_field():
    job = make_job("job-1")
    a = provenance_for(job, 1)
    body_b = dict(a["request"], seed=43, promptText="a foggy pier at dusk", duration=10)
    body_b.pop("ratio")
    body_b["promptImage"] = [{"uri": "https://x.example.com/k.png", "position": "first"}]
    b = provenance_for(replace(job, job_id="job-2"), 2, request_body=body_b,
                       task_id="other-task", times={"submitted": 5.0})
    diff = recipe_diff(a, b)
    assert diff == [
        ("seed", 7, 43),
        ("request.promptText", "slow push in", "a foggy pier at dusk"),
        ("request.seed", 7, 43),
        ("request.ratio", "1280:720", MISSING),
        ("request.duration", 5, 10),
        ("request.promptImage", a["request"]["promptImage"], MISSING),
        ("request.promptImage.0.uri", MISSING, "https://x.example.com/k.png"),
        ("request.promptImage.0.position", MISSING, "first"),
    ]
    assert recipe_diff(a, a) == []
    assert recipe_diff(a, provenance_for(replace(job, job_id="job-3"), 9, task_id="t9")) == []


def test_recipe_diff_on_plain_mappings():
    assert recipe_diff({"a": {"b": 1, "c": [1, 2]}, "d": True},
                       {"a": {"b": 1.0, "c": [1, 3]}, "d": 1}) == [("a.c.1", 2, 3), ("d", True, 1)]
    assert str(MISSING) == "<missing>" and not MISSING


# --------------------------------------------------------------------------- names


@pytest.mark.parametrize("good", ["sh010", "SH_010-a", "sq01.sh010", "gen", "v2", "a"])
def test_safe_name_accepts(good: str):
    assert safe_name(good) == good


@pytest.mark.parametrize("bad", ["../x", "a/b", "", "..", "a\\b", "/abs", ".numbers", "sh010.",
                                 "sh 010", "sh010\n", "CON", "com1.txt", "é", "x" * 129])
def test_safe_name_rejects(bad: str):
    with pytest.raises(NameInvalid) as caught:
        safe_name(bad, field="recipe.label", shot="sh010")
    error = caught.value
    assert isinstance(error, ValueError) and isinstance(error, ShotLoopError)
    assert (error.shot, error.field) == ("sh010", "recipe.label") and error.fix
    assert error.message.startswith("sh010: recipe.label ")


def test_safe_name_rejects_non_text():
    with pytest.raises(ValueError):
        safe_name(None)  # type: ignore[arg-type]
