"""Every injected fault kind, by rule and by prompt marker, and the inspection endpoints."""
from __future__ import annotations

import base64

import av
import pytest
import requests
import runwayml
from runwayml import RunwayML

from shotloop.providers import runway_models
from shotloop_refservice.config import DEV_KEY, ServiceConfig
from shotloop_refservice.faults import FaultRule
from shotloop_refservice.server import RefService

HEADERS = {"Authorization": f"Bearer {DEV_KEY}", "X-Runway-Version": runway_models.API_VERSION}
T2V = "/v1/text_to_video"


@pytest.fixture(scope="module")
def module_service():
    with RefService(ServiceConfig(pending_s=0.1, running_s=0.3, concurrency=8)) as service:
        yield service


@pytest.fixture
def svc(module_service):
    """A service of this module's own, reset before each test (counters start at zero)."""
    module_service.reset()
    return module_service


def call(service, method, path, body=None, timeout=10.0):
    return requests.request(method, service.url + path, json=body, headers=HEADERS, timeout=timeout)


def t2v(prompt="a harbour at night", seed=1) -> dict:
    return {"model": "gen4.5", "promptText": prompt, "ratio": "1280:720", "duration": 2, "seed": seed}


def finished(service, task_id, wait_until) -> dict:
    def done():
        body = call(service, "GET", f"/v1/tasks/{task_id}").json()
        return body if body["status"] in ("SUCCEEDED", "FAILED") else None

    return wait_until(done, 15, f"task {task_id} finished")


# --------------------------------------------------------------------------- status codes


@pytest.mark.parametrize("retry_after, header", [(5, "5"), (90, "90"), (1.5, "1.5")])
def test_429_with_retry_after_including_above_60(svc, retry_after, header):
    svc.faults.add(FaultRule("status", status=429, retry_after=retry_after, path=T2V))
    refused = call(svc, "POST", T2V, t2v())
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == header
    assert "error" in refused.json()
    assert "x-should-retry" not in refused.headers
    assert svc.stats()["creates"] == 0
    assert call(svc, "POST", T2V, t2v()).status_code == 200  # times=1: spent


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_on_polls_then_recovery(svc, status):
    task_id = call(svc, "POST", T2V, t2v()).json()["id"]
    svc.faults.add(FaultRule("status", status=status, method="GET", path="/v1/tasks/*", times=2))
    assert [call(svc, "GET", f"/v1/tasks/{task_id}").status_code for _ in range(3)] == [status, status, 200]
    assert svc.stats()["faults_fired"] == {"status": 2}


def test_should_retry_header_and_sdk_honouring_retry_after(svc):
    svc.faults.add(FaultRule("status", status=503, should_retry=False, path=T2V))
    assert call(svc, "POST", T2V, t2v()).headers["x-should-retry"] == "false"
    svc.faults.add(FaultRule("status", status=429, retry_after=0.05, path=T2V))
    client = RunwayML(api_key=DEV_KEY, base_url=svc.url, max_retries=1)
    created = client.text_to_video.create(model="gen4.5", prompt_text="x", ratio="1280:720", duration=2)
    assert created.id
    assert [r["status"] for r in svc.requests(path=T2V)] == [503, 429, 200]


def test_nth_matching_request_and_marker_scoped_rules(svc):
    svc.faults.add(FaultRule("status", status=503, path=T2V, nth=2))
    assert [call(svc, "POST", T2V, t2v(seed=s)).status_code for s in range(3)] == [200, 503, 200]
    svc.faults.add(FaultRule("status", status=500, marker="[[sh020]]", times=None))
    assert call(svc, "POST", T2V, t2v("[[sh010]] plate")).status_code == 200
    assert call(svc, "POST", T2V, t2v("[[sh020]] plate")).status_code == 500
    assert call(svc, "POST", T2V, t2v("[[sh020]] plate", seed=2)).status_code == 500


def test_prompt_marker_applies_to_each_resend_unless_times_given(svc):
    always = t2v("[[fault:status 503]] dusk")
    assert [call(svc, "POST", T2V, always).status_code for _ in range(2)] == [503, 503]
    once = t2v("[[fault:status 502 times=1]] dusk")
    assert [call(svc, "POST", T2V, once).status_code for _ in range(2)] == [502, 200]
    bad = call(svc, "POST", T2V, t2v("[[fault:explode]] dusk"))
    assert bad.status_code == 400 and "fault marker" in bad.json()["error"]


# --------------------------------------------------------------------------- connections


def test_drop_closes_without_answer_and_makes_no_task(svc):
    svc.faults.add(FaultRule("drop", path=T2V))
    with pytest.raises(requests.ConnectionError):
        call(svc, "POST", T2V, t2v())
    stats = svc.stats()
    assert stats["creates"] == 0 and stats["dropped_connections"] == 1
    (entry,) = svc.requests(path=T2V)
    assert entry["outcome"] == "dropped" and entry["status"] is None
    assert call(svc, "POST", T2V, t2v()).status_code == 200


def test_status_after_create_makes_a_task_the_client_never_hears_of(svc):
    svc.faults.add(FaultRule("status_after_create", status=502, path=T2V))
    assert call(svc, "POST", T2V, t2v()).status_code == 502
    assert call(svc, "POST", T2V, t2v()).status_code == 200  # the client's blind retry
    stats = svc.stats()
    assert stats["creates"] == 2
    assert stats["duplicate_creates"] == 1
    assert stats["creates_answered_with_fault"] == 1
    assert sum(stats["tasks"].values()) == 2


def test_drop_after_create(svc):
    with pytest.raises(requests.ConnectionError):
        call(svc, "POST", T2V, t2v("[[fault:drop_after_create]] x"))
    stats = svc.stats()
    assert stats["creates"] == 1 and stats["creates_answered_with_fault"] == 1
    assert stats["dropped_connections"] == 1


def test_post_create_faults_wait_for_a_successful_create(svc):
    svc.faults.add(FaultRule("status_after_create", status=500, path=T2V))
    assert call(svc, "POST", T2V, dict(t2v(), ratio="1:1")).status_code == 400  # no task, not spent
    assert call(svc, "POST", T2V, t2v()).status_code == 500


def test_slow_answer_trips_the_client_read_timeout_but_the_task_exists(svc, wait_until):
    svc.faults.add(FaultRule("slow", seconds=1.0, path=T2V))
    with pytest.raises(requests.ReadTimeout):
        call(svc, "POST", T2V, t2v(), timeout=0.3)
    wait_until(lambda: svc.stats()["creates"] == 1, 10, "the slow create to complete")


# --------------------------------------------------------------------------- task faults


def test_throttle_holds_a_task_with_free_slots(svc, wait_until):
    task_id = call(svc, "POST", T2V, t2v("[[fault:throttle 0.6]] x")).json()["id"]
    wait_until(lambda: call(svc, "GET", f"/v1/tasks/{task_id}").json()["status"] == "THROTTLED",
               5, "THROTTLED")
    states = []

    def step():
        states.append(call(svc, "GET", f"/v1/tasks/{task_id}").json()["status"])
        return states[-1] == "SUCCEEDED"

    wait_until(step, 10, "released")
    assert "THROTTLED" in states and states.index("THROTTLED") < len(states) - 1


@pytest.mark.parametrize("code, charged, ran", [
    ("SAFETY.INPUT.TEXT", 24, False),
    ("SAFETY.OUTPUT.VIDEO", 0, True),
    ("INTERNAL.BAD_OUTPUT.CODE01", 0, True),
    ("INTERNAL", 0, True),
    ("ASSET.INVALID", 0, False),
    ("THIRD_PARTY.UNAVAILABLE", 0, True),
    ("INPUT_PREPROCESSING.SAFETY.TEXT", 24, False),
])
def test_failure_codes(svc, wait_until, code, charged, ran):
    task_id = call(svc, "POST", T2V, t2v(f"[[fault:fail {code}]] x")).json()["id"]
    seen = []

    def step():
        seen.append(call(svc, "GET", f"/v1/tasks/{task_id}").json())
        return seen[-1]["status"] == "FAILED"

    wait_until(step, 10, "FAILED")
    final = seen[-1]
    assert final["failureCode"] == code
    assert final["failure"] and code not in final["failure"]
    assert final["cost"] == {"credits": charged}
    assert "estimatedCost" not in final and "output" not in final
    if not ran:
        assert "RUNNING" not in [s["status"] for s in seen]
    assert svc.stats()["credit_balance"] == 100000 - charged


def test_fail_rule_on_the_nth_create(svc, wait_until):
    svc.faults.add(FaultRule("fail", failure_code="INTERNAL", path=T2V, nth=2, failure="GPU fell over"))
    ids = [call(svc, "POST", T2V, t2v(seed=s)).json()["id"] for s in range(3)]
    finals = [finished(svc, i, wait_until) for i in ids]
    assert [f["status"] for f in finals] == ["SUCCEEDED", "FAILED", "SUCCEEDED"]
    assert finals[1]["failure"] == "GPU fell over"


# --------------------------------------------------------------------------- outputs


def _output_url(svc, wait_until, prompt: str) -> str:
    task_id = call(svc, "POST", T2V, t2v(prompt)).json()["id"]
    return finished(svc, task_id, wait_until)["output"][0]


def test_output_expired_and_404_then_good(svc, wait_until):
    url = _output_url(svc, wait_until, "[[fault:output_expired times=1]] [[fault:output_404 times=1]] x")
    first, second, third = (requests.get(url, timeout=30) for _ in range(3))
    assert first.status_code == 403 and first.json() == {"error": "Request has expired"}
    assert second.status_code == 404
    assert third.status_code == 200 and third.headers["content-type"] == "video/mp4"


def test_output_wrong_type(svc, wait_until):
    svc.faults.add(FaultRule("output_wrong_type", path="/_out/*"))
    url = _output_url(svc, wait_until, "x")
    response = requests.get(url, timeout=30)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert requests.get(url, timeout=30).headers["content-type"] == "video/mp4"


def test_output_corrupt_is_same_size_garbage(svc, wait_until, tmp_path):
    url = _output_url(svc, wait_until, "[[fault:output_corrupt times=1]] x")
    bad, good = requests.get(url, timeout=30), requests.get(url, timeout=30)
    assert bad.status_code == 200 and bad.headers["content-type"] == "video/mp4"
    assert len(bad.content) == len(good.content) and bad.content != good.content
    path = tmp_path / "bad.mp4"
    path.write_bytes(bad.content)
    with pytest.raises(av.FFmpegError):
        with av.open(str(path)) as container:
            list(container.decode(video=0))


def test_output_truncated_announces_more_than_it_sends(svc, wait_until):
    url = _output_url(svc, wait_until, "[[fault:output_truncated times=1]] x")
    with requests.get(url, timeout=30, stream=True) as response:
        announced = int(response.headers["content-length"])
        received = bytearray()
        with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.ConnectionError)):
            for chunk in response.iter_content(8192):
                received.extend(chunk)
    assert 0 < len(received) < announced
    whole = requests.get(url, timeout=30)
    assert len(whole.content) == announced
    assert svc.stats()["faults_fired"] == {"output_truncated": 1}


# --------------------------------------------------------------------------- uploads


def test_upload_fail_is_500_and_burns_the_slot(svc, make_png):
    svc.faults.add(FaultRule("upload_fail"))
    client = RunwayML(api_key=DEV_KEY, base_url=svc.url, max_retries=0)
    keyframe = make_png()
    with pytest.raises(runwayml.APIStatusError) as caught:
        client.uploads.create_ephemeral(file=keyframe)
    assert "Upload failed with status 500" in str(caught.value)
    (storage,) = svc.requests(path="/_storage/upload")
    assert storage["auth"] == "none" and storage["status"] == 500
    fields = storage["body"]["fields"]
    replay = requests.post(svc.url + "/_storage/upload", data=fields,
                           files={"file": ("key.png", keyframe.read_bytes())}, timeout=10)
    assert replay.status_code == 403  # never replay a failed slot: ask for a new one
    assert client.uploads.create_ephemeral(file=keyframe).uri.startswith("runway://")


# --------------------------------------------------------------------------- inspection


def test_requests_journal_hides_secrets_and_counts_attempts(svc, make_png):
    png = make_png()
    image = f"data:image/png;base64,{base64.b64encode(png.read_bytes()).decode()}"
    body = {"model": "gen4_turbo", "promptImage": image, "ratio": "1280:720", "duration": 2, "seed": 1}
    for _ in range(2):
        call(svc, "POST", "/v1/image_to_video", body)
    listing = requests.get(svc.url + "/_mock/requests", params={"path": "/v1/image_to_video"}, timeout=10)
    entries = listing.json()["requests"]
    assert [e["attempt"] for e in entries] == [1, 2]
    for entry in entries:
        assert "authorization" not in entry["headers"] and entry["auth"] == "bearer"
        assert DEV_KEY not in str(entry)
        assert entry["headers"]["x-runway-version"] == runway_models.API_VERSION
        assert entry["body"]["promptImage"].endswith("chars)")  # data URIs are shortened
        assert entry["status"] == 200


def test_mock_fault_endpoints_and_reset(svc):
    added = requests.post(svc.url + "/_mock/faults", timeout=10,
                          json=[{"kind": "status", "status": 503, "path": T2V},
                                {"kind": "slow", "seconds": 0.01}])
    assert added.status_code == 200 and len(added.json()["ids"]) == 2
    assert len(requests.get(svc.url + "/_mock/faults", timeout=10).json()["rules"]) == 2
    assert requests.post(svc.url + "/_mock/faults", json={"kind": "nope"}, timeout=10).status_code == 400
    assert requests.post(svc.url + "/_mock/faults", json={"kind": "status"}, timeout=10).status_code == 400
    assert call(svc, "POST", T2V, t2v()).status_code == 503
    assert requests.delete(svc.url + "/_mock/faults", timeout=10).status_code == 204
    assert requests.get(svc.url + "/_mock/faults", timeout=10).json()["rules"] == []
    stats = requests.get(svc.url + "/_mock/stats", timeout=10).json()
    assert stats["requests_by_route"] == {f"POST {T2V}": 1}
    assert stats["faults_fired"] == {"slow": 1, "status": 1}
    assert requests.post(svc.url + "/_mock/reset", timeout=10).status_code == 204
    assert requests.get(svc.url + "/_mock/stats", timeout=10).json()["requests"] == 0


def test_run_wide_faults_from_config(make_refservice):
    service = make_refservice(faults=(FaultRule("status", status=504, path="/v1/organization", times=None),))
    assert [call(service, "GET", "/v1/organization").status_code for _ in range(2)] == [504, 504]
