"""Request checks: auth, version header, per-model validation and asset URIs."""
from __future__ import annotations

import base64
from pathlib import Path

import pytest
import requests

from shotloop.providers import runway_models
from shotloop_refservice.config import DEV_KEY

HEADERS = {"Authorization": f"Bearer {DEV_KEY}", "X-Runway-Version": runway_models.API_VERSION}


def call(service, method: str, path: str, body=None, headers=None) -> requests.Response:
    return requests.request(method, service.url + path, json=body, timeout=10,
                            headers=HEADERS if headers is None else headers)


def upload(service, path: Path) -> str:
    slot = call(service, "POST", "/v1/uploads", {"filename": path.name, "type": "ephemeral"}).json()
    with path.open("rb") as handle:
        stored = requests.post(slot["uploadUrl"], data=slot["fields"],
                               files={"file": (path.name, handle, "image/png")}, timeout=10)
    assert stored.status_code == 204, stored.text
    return slot["runwayUri"]


def issues_of(response: requests.Response) -> list[dict]:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == "Validation of body failed"
    assert body["docUrl"].startswith("https://")
    return body["issues"]


def paths(response: requests.Response) -> dict[tuple, str]:
    return {tuple(i["path"]): i["code"] for i in issues_of(response)}


@pytest.fixture(scope="module")
def keyframe_uri(refservice, tmp_path_factory):
    import av
    import numpy as np

    path = tmp_path_factory.mktemp("keys") / "key.png"
    pixels = np.random.default_rng(1).integers(0, 255, (90, 160, 3), dtype=np.uint8)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("png")
        stream.width, stream.height, stream.pix_fmt = 160, 90, "rgb24"
        container.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        container.mux(stream.encode(None))
    return upload(refservice, path), path


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer wrong-key", "X-Runway-Version": runway_models.API_VERSION},
    {"Authorization": DEV_KEY, "X-Runway-Version": runway_models.API_VERSION},
], ids=["missing", "wrong-key", "no-bearer"])
def test_anything_but_the_configured_key_is_401(refservice, headers):
    response = call(refservice, "GET", "/v1/organization", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    assert "error" in response.json()


@pytest.mark.parametrize("version", [None, "2023-01-01"])
def test_version_header_missing_or_unknown_is_400(refservice, version):
    headers = {"Authorization": f"Bearer {DEV_KEY}"}
    if version:
        headers["X-Runway-Version"] = version
    response = call(refservice, "GET", "/v1/organization", headers=headers)
    assert response.status_code == 400
    assert "X-Runway-Version" in response.json()["error"]


def test_lax_version_mode_accepts_missing_header(make_refservice):
    service = make_refservice(strict_version=False)
    response = call(service, "GET", "/v1/organization", headers={"Authorization": f"Bearer {DEV_KEY}"})
    assert response.status_code == 200


def test_unknown_paths_are_json_404_and_wrong_methods_json_405(refservice):
    for path in ("/v1/nope", "/elsewhere"):
        response = call(refservice, "GET", path)
        assert response.status_code == 404
        assert response.json() == {"error": "Not found"}
    response = call(refservice, "PUT", "/v1/tasks/abc")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/json"


def test_missing_required_and_extra_fields(refservice):
    response = call(refservice, "POST", "/v1/image_to_video",
                    {"model": "gen4.5", "promptText": "x", "banana": 1})
    found = paths(response)
    assert found[("promptImage",)] == "invalid_type"
    assert found[("ratio",)] == "invalid_type"
    assert found[("duration",)] == "invalid_type"
    assert found[("banana",)] == "unrecognized_keys"


def test_fields_of_other_models_are_extra(refservice, keyframe_uri):
    uri, _ = keyframe_uri
    # negativePrompt is a veo field; gen4_turbo does not accept it.
    response = call(refservice, "POST", "/v1/image_to_video",
                    {"model": "gen4_turbo", "promptImage": uri, "ratio": "1280:720",
                     "negativePrompt": "blur"})
    assert paths(response) == {("negativePrompt",): "unrecognized_keys"}


def test_unknown_model_names_the_discriminator(refservice):
    response = call(refservice, "POST", "/v1/text_to_video", {"model": "gen4_turbo", "promptText": "x"})
    (issue,) = issues_of(response)
    assert issue["path"] == ["model"] and issue["code"] == "invalid_union_discriminator"
    assert "gen4.5" in issue["options"]


@pytest.mark.parametrize("field, value, code", [
    ("ratio", "1920:1080", "invalid_enum_value"),
    ("duration", 11, "too_big"),
    ("duration", 1, "too_small"),
    ("duration", 5.5, "invalid_type"),
    ("seed", -1, "too_small"),
    ("seed", 4294967296, "too_big"),
    ("seed", "42", "invalid_type"),
    ("promptText", "", "too_small"),
])
def test_bad_values_name_their_field(refservice, field, value, code):
    body = {"model": "gen4.5", "promptText": "a field at dawn", "ratio": "1280:720", "duration": 5,
            "seed": 1, field: value}
    assert paths(call(refservice, "POST", "/v1/text_to_video", body)) == {(field,): code}


def test_veo_durations_are_an_enum(refservice):
    body = {"model": "veo3.1", "promptText": "rain", "ratio": "1280:720", "duration": 5}
    (issue,) = issues_of(call(refservice, "POST", "/v1/text_to_video", body))
    assert issue["path"] == ["duration"] and issue["options"] == [4, 6, 8]


def test_prompt_length_counts_utf16_code_units(refservice):
    base = {"model": "gen4.5", "ratio": "1280:720", "duration": 2, "seed": 1}
    emoji = "\U0001F3AC"  # two UTF-16 code units, one code point
    fits = call(refservice, "POST", "/v1/text_to_video", dict(base, promptText=emoji * 500))
    assert fits.status_code == 200, fits.text
    over = call(refservice, "POST", "/v1/text_to_video", dict(base, promptText=emoji * 500 + "a"))
    (issue,) = issues_of(over)
    assert issue["path"] == ["promptText"] and issue["code"] == "too_big" and issue["maximum"] == 1000


@pytest.mark.parametrize("uri, words", [
    ("runway://uploads/00000000000000000000000000000000/x.png", "unknown"),
    ("http://example.com/key.png", "HTTPS"),
    ("https://93.184.216.34/key.png", "IP address"),
    ("https://[2001:db8::1]/key.png", "IP address"),
    ("https://example.com/key.png", "fetch"),
    ("data:image/png;base64,!!!notbase64", "base64"),
    ("data:image/png,rawdata", "base64"),
    ("data:text/plain;base64,aGVsbG8=", "image"),
    ("ftp://example.com/key.png", "https URL"),
])
def test_bad_asset_uris_are_400_on_their_field(refservice, uri, words):
    body = {"model": "gen4_turbo", "promptImage": uri, "ratio": "1280:720", "duration": 2}
    (issue,) = issues_of(call(refservice, "POST", "/v1/image_to_video", body))
    assert issue["path"] == ["promptImage"]
    assert words in issue["message"]


def test_data_uri_must_match_its_bytes_and_size_cap(refservice, keyframe_uri):
    _, path = keyframe_uri
    encoded = base64.b64encode(path.read_bytes()).decode()
    good = {"model": "gen4_turbo", "promptImage": f"data:image/png;base64,{encoded}",
            "ratio": "960:960", "duration": 2, "seed": 5}
    assert call(refservice, "POST", "/v1/image_to_video", good).status_code == 200
    lying = dict(good, promptImage=f"data:image/jpeg;base64,{encoded}")
    assert "declared image/jpeg" in issues_of(call(refservice, "POST", "/v1/image_to_video", lying))[0]["message"]
    huge = dict(good, promptImage="data:image/png;base64," + "A" * runway_models.IMAGE_DATA_URI_MAX)
    assert "too large" in issues_of(call(refservice, "POST", "/v1/image_to_video", huge))[0]["message"]


def test_keyframe_positions_per_model(refservice, keyframe_uri):
    uri, _ = keyframe_uri
    last_only = {"model": "veo3.1", "ratio": "1280:720", "duration": 4,
                 "promptImage": [{"uri": uri, "position": "last"}]}
    assert "needs a 'first'" in issues_of(call(refservice, "POST", "/v1/image_to_video", last_only))[0]["message"]
    gen4_last = {"model": "gen4_turbo", "ratio": "1280:720", "duration": 2,
                 "promptImage": [{"uri": uri, "position": "first"}, {"uri": uri, "position": "last"}]}
    assert paths(call(refservice, "POST", "/v1/image_to_video", gen4_last)) == {
        ("promptImage", 1, "position"): "invalid_enum_value"}
    both = dict(last_only, promptImage=[{"uri": uri, "position": "first"}, {"uri": uri, "position": "last"}])
    assert call(refservice, "POST", "/v1/image_to_video", both).status_code == 200


def test_asset_of_the_wrong_kind_is_refused(refservice, keyframe_uri):
    uri, _ = keyframe_uri
    body = {"model": "aleph2", "videoUri": uri}
    (issue,) = issues_of(call(refservice, "POST", "/v1/video_to_video", body))
    assert issue["path"] == ["videoUri"] and "not a supported video" in issue["message"]


def test_invalid_json_and_non_object_bodies(refservice):
    raw = requests.post(refservice.url + "/v1/text_to_video", data=b"{nope", timeout=10,
                        headers=dict(HEADERS, **{"Content-Type": "application/json"}))
    assert issues_of(raw)[0]["path"] == []
    assert issues_of(call(refservice, "POST", "/v1/text_to_video", [1, 2]))[0]["code"] == "invalid_type"


def test_custom_studio_models_behave_like_their_base(make_refservice):
    service = make_refservice(custom_models={"acme_gen_v2": "gen4.5"})
    body = {"model": "acme_gen_v2", "promptText": "x", "ratio": "1280:720", "duration": 2, "seed": 1}
    created = call(service, "POST", "/v1/text_to_video", body)
    assert created.status_code == 200
    assert created.json()["estimatedCost"]["credits"] == 24  # gen4.5 rate, 12 credits/s
    assert paths(call(service, "POST", "/v1/text_to_video", dict(body, ratio="960:960"))) == {
        ("ratio",): "invalid_enum_value"}
    org = call(service, "GET", "/v1/organization").json()
    assert "acme_gen_v2" in org["tier"]["models"]


def test_upload_slot_request_is_validated(refservice):
    response = call(refservice, "POST", "/v1/uploads", {"filename": "a.png", "type": "permanent", "x": 1})
    assert paths(response) == {("type",): "invalid_literal", ("x",): "unrecognized_keys"}


def test_storage_post_checks_signature_size_and_single_use(refservice, keyframe_uri, tmp_path):
    _, path = keyframe_uri
    slot = call(refservice, "POST", "/v1/uploads", {"filename": "k.png", "type": "ephemeral"}).json()
    forged = dict(slot["fields"], signature="x")
    assert requests.post(slot["uploadUrl"], data=forged, files={"file": path.read_bytes()},
                         timeout=10).status_code == 403
    tiny = requests.post(slot["uploadUrl"], data=slot["fields"], files={"file": b"\x89PNG" + b"0" * 10},
                         timeout=10)
    assert tiny.status_code == 400 and "EntityTooSmall" in tiny.json()["error"]
    ok = requests.post(slot["uploadUrl"], data=slot["fields"], files={"file": ("k.png", path.read_bytes())},
                       timeout=10)
    assert ok.status_code == 204 and ok.content == b""
    again = requests.post(slot["uploadUrl"], data=slot["fields"], files={"file": path.read_bytes()},
                          timeout=10)
    assert again.status_code == 403


def test_upload_that_is_not_media_cannot_be_used(refservice, tmp_path):
    junk = tmp_path / "notes.png"
    junk.write_bytes(b"this is not a picture " * 40)
    uri = upload(refservice, junk)
    body = {"model": "gen4_turbo", "promptImage": uri, "ratio": "1280:720", "duration": 2}
    (issue,) = issues_of(call(refservice, "POST", "/v1/image_to_video", body))
    assert "not a supported image" in issue["message"]


def test_expired_uploads_are_refused(make_refservice, keyframe_uri, wait_until):
    service = make_refservice(upload_ttl_s=0.3)
    _, path = keyframe_uri
    uri = upload(service, path)
    body = {"model": "gen4_turbo", "promptImage": uri, "ratio": "1280:720", "duration": 2, "seed": 1}
    wait_until(lambda: call(service, "POST", "/v1/image_to_video", body).status_code == 400)
    (issue,) = issues_of(call(service, "POST", "/v1/image_to_video", body))
    assert "expired" in issue["message"]


def test_mapped_https_urls_are_read_locally(make_refservice, keyframe_uri):
    _, path = keyframe_uri
    service = make_refservice(url_roots={"https://fixtures.shotloop.test/": str(path.parent)})
    body = {"model": "gen4_turbo", "promptImage": f"https://fixtures.shotloop.test/{path.name}",
            "ratio": "1280:720", "duration": 2, "seed": 1}
    assert call(service, "POST", "/v1/image_to_video", body).status_code == 200
    escape = dict(body, promptImage="https://fixtures.shotloop.test/../../etc/passwd")
    assert "404" in issues_of(call(service, "POST", "/v1/image_to_video", escape))[0]["message"]
