"""Task lifecycle by wall clock, concurrency, cancel/delete, credits, output URL expiry."""
from __future__ import annotations

import re

import requests

from shotloop.providers import runway_models
from shotloop_refservice.config import DEV_KEY

HEADERS = {"Authorization": f"Bearer {DEV_KEY}", "X-Runway-Version": runway_models.API_VERSION}
CREATED_AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def call(service, method, path, body=None):
    return requests.request(method, service.url + path, json=body, headers=HEADERS, timeout=10)


def create(service, prompt="a quiet street", model="gen4.5", duration=2, seed=1):
    body = {"model": model, "promptText": prompt, "ratio": "1280:720", "duration": duration, "seed": seed}
    response = call(service, "POST", "/v1/text_to_video", body)
    assert response.status_code == 200, response.text
    return response.json()


def task(service, task_id):
    return call(service, "GET", f"/v1/tasks/{task_id}")


def watch(service, task_id, wait_until, until=("SUCCEEDED", "FAILED"), timeout_s=15.0):
    """Every distinct state seen while polling, until one of ``until``."""
    seen: list[dict] = []

    def step():
        body = task(service, task_id).json()
        seen.append(body)
        return body["status"] in until

    wait_until(step, timeout_s, f"task {task_id} in {until}")
    return seen


def test_shapes_per_status_and_monotonic_progress(refservice, wait_until):
    created = create(refservice)
    assert UUID4.match(created["id"])
    assert created["estimatedCost"] == {"credits": 24}
    seen = watch(refservice, created["id"], wait_until)
    statuses = [s["status"] for s in seen]
    assert statuses[0] == "PENDING" and statuses[-1] == "SUCCEEDED"
    order = {"PENDING": 0, "THROTTLED": 1, "RUNNING": 2, "SUCCEEDED": 3}
    assert [order[s] for s in statuses] == sorted(order[s] for s in statuses)
    for body in seen:
        assert CREATED_AT.match(body["createdAt"])
        if body["status"] in ("PENDING", "THROTTLED", "RUNNING"):
            assert body["estimatedCost"] == {"credits": 24} and "cost" not in body
        if body["status"] == "RUNNING":
            assert 0 <= body["progress"] <= 1
    progress = [s["progress"] for s in seen if s["status"] == "RUNNING"]
    assert progress == sorted(progress)
    final = seen[-1]
    assert final["cost"] == {"credits": 24} and isinstance(final["cost"]["credits"], int)
    assert "estimatedCost" not in final and len(final["output"]) == 1


def test_throttled_beyond_concurrency_released_in_order(make_refservice, wait_until):
    service = make_refservice(concurrency=1, pending_s=0.05, running_s=0.4)
    ids = [create(service, prompt=f"shot {i}", seed=i)["id"] for i in range(3)]
    snapshots: list[tuple[str, ...]] = []

    def step():
        # Read newest first: a task that starts later is read earlier, so "a later task
        # runs while an earlier one is not finished" can only show up if it happened.
        newest_first = [task(service, i).json()["status"] for i in reversed(ids)]
        snapshots.append(tuple(reversed(newest_first)))
        return snapshots[-1][2] == "SUCCEEDED"

    wait_until(step, 20, "all three done")
    assert ("RUNNING", "THROTTLED", "THROTTLED") in snapshots
    for snap in snapshots:
        assert snap.count("RUNNING") <= 1, snap
        # First come, first served: a later task never runs while an earlier one waits.
        waiting = [n for n, s in enumerate(snap) if s in ("PENDING", "THROTTLED")]
        running = [n for n, s in enumerate(snap) if s == "RUNNING"]
        assert not (waiting and running and min(waiting) < max(running)), snap
    org = call(service, "GET", "/v1/organization").json()
    assert org["tier"]["models"]["gen4.5"]["maxConcurrentGenerations"] == 1


def test_cancel_active_task_then_404_and_refund(make_refservice):
    service = make_refservice(pending_s=30, credit_balance=1000)
    created = create(service)
    assert call(service, "GET", "/v1/organization").json()["creditBalance"] == 1000 - 24
    deleted = call(service, "DELETE", f"/v1/tasks/{created['id']}")
    assert deleted.status_code == 204 and deleted.content == b""
    gone = task(service, created["id"])
    assert gone.status_code == 404 and gone.json() == {"error": "Could not find Task"}
    assert call(service, "DELETE", f"/v1/tasks/{created['id']}").status_code == 404
    assert call(service, "GET", "/v1/organization").json()["creditBalance"] == 1000


def test_delete_finished_task(refservice, wait_until):
    created = create(refservice)
    watch(refservice, created["id"], wait_until)
    assert call(refservice, "DELETE", f"/v1/tasks/{created['id']}").status_code == 204
    assert task(refservice, created["id"]).status_code == 404


def test_cancelled_visible_mode(make_refservice, wait_until):
    service = make_refservice(cancelled_visible=True, pending_s=0.05, running_s=30, credit_balance=500)
    created = create(service)
    wait_until(lambda: task(service, created["id"]).json()["status"] == "RUNNING", what="running")
    assert call(service, "DELETE", f"/v1/tasks/{created['id']}").status_code == 204
    body = task(service, created["id"]).json()
    assert body["status"] == "CANCELLED"
    assert body["cost"] == {"credits": 24}  # cancelled while RUNNING: nothing comes back
    assert call(service, "DELETE", f"/v1/tasks/{created['id']}").status_code == 204
    assert task(service, created["id"]).status_code == 404


def test_daily_limit_is_429_on_create(make_refservice):
    service = make_refservice(daily_limit=2)
    create(service, seed=1)
    create(service, seed=2)
    body = {"model": "gen4.5", "promptText": "x", "ratio": "1280:720", "duration": 2}
    refused = call(service, "POST", "/v1/text_to_video", body)
    assert refused.status_code == 429 and "daily" in refused.json()["error"]
    assert service.stats()["creates"] == 2
    org = call(service, "GET", "/v1/organization").json()
    assert org["usage"]["models"]["gen4.5"]["dailyGenerations"] == 2
    assert org["tier"]["models"]["gen4.5"]["maxDailyGenerations"] == 2


def test_not_enough_credits(make_refservice):
    service = make_refservice(credit_balance=30)
    create(service)
    body = {"model": "gen4.5", "promptText": "x", "ratio": "1280:720", "duration": 2}
    refused = call(service, "POST", "/v1/text_to_video", body)
    assert refused.status_code == 400
    assert refused.json() == {"error": "You do not have enough credits to run this task."}


def test_usage_reports_final_charges(make_refservice, wait_until):
    service = make_refservice(credit_balance=1000)
    ok = create(service, seed=1)
    refunded = create(service, seed=2, prompt="[[fault:fail INTERNAL]] x")
    watch(service, ok["id"], wait_until)
    watch(service, refunded["id"], wait_until)
    usage = call(service, "POST", "/v1/organization/usage", {}).json()
    assert usage["models"] == ["gen4.5"]
    assert usage["results"][0]["usedCredits"] == [{"model": "gen4.5", "amount": 24}]
    assert call(service, "GET", "/v1/organization").json()["creditBalance"] == 1000 - 24
    bad = call(service, "POST", "/v1/organization/usage", {"startDate": "2024-01-01", "beforeDate": "2024-06-01"})
    assert bad.status_code == 400


def test_output_urls_are_fresh_per_get_and_expire(make_refservice, wait_until):
    service = make_refservice(output_ttl_s=0.5)
    created = create(service)
    first = watch(service, created["id"], wait_until)[-1]["output"][0]
    second = task(service, created["id"]).json()["output"][0]
    assert first != second and first.split("?")[0] == second.split("?")[0]
    assert "/_out/" in first and "_jwt=" in first
    fresh = requests.get(second, timeout=30)  # no Authorization header
    assert fresh.status_code == 200 and fresh.headers["content-type"] == "video/mp4"
    wait_until(lambda: requests.get(first, timeout=10).status_code == 403, what="URL expiry")
    assert requests.get(first, timeout=10).json() == {"error": "Request has expired"}
    assert requests.get(task(service, created["id"]).json()["output"][0], timeout=30).status_code == 200


def test_output_token_is_bound_to_its_task(refservice, wait_until):
    one, two = create(refservice, seed=1), create(refservice, seed=2)
    url_one = watch(refservice, one["id"], wait_until)[-1]["output"][0]
    watch(refservice, two["id"], wait_until)
    swapped = url_one.replace(one["id"], two["id"])
    assert requests.get(swapped, timeout=10).status_code == 403
    assert requests.get(url_one.split("?")[0], timeout=10).status_code == 403


def test_reset_forgets_tasks_and_counters(refservice_clean):
    created = create(refservice_clean)
    assert refservice_clean.stats()["creates"] == 1
    refservice_clean.reset()
    assert task(refservice_clean, created["id"]).status_code == 404
    stats = refservice_clean.stats()
    assert stats["creates"] == 0 and stats["requests"] == 1
