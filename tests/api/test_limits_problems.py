"""Limits (body size, page size, bbox area, export size, per-token rate) and errors: one RFC 9457
problem format for everything, the framework's errors included, without internals."""

from __future__ import annotations

import json

import pytest

from truce.api import ApiSettings
from truce.api.limits import RateLimiter

from .conftest import incident

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def _is_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert PROBLEM_KEYS <= set(body) and body["status"] == status
    assert body["instance"] == response.request.url.path
    return body


def test_bodies_over_the_limit_are_refused_before_they_are_read(make_api):
    api = make_api(ApiSettings(max_body_bytes=2000, rate_per_second=1e6, rate_burst=10**6))
    big = {"incidents": [incident(note="x" * 3000)]}
    body = _is_problem(api.post("/api/v1/reports", "monitor", json=big), 413)
    assert "2000 bytes" in body["detail"]

    def chunks():  # no Content-Length: counted while streaming
        for _ in range(10):
            yield b" " * 500

    streamed = api.post(
        "/api/v1/reports", "monitor", content=chunks(), headers={"Content-Type": "application/json"}
    )
    _is_problem(streamed, 413)
    assert api.post("/api/v1/reports", "monitor", json={"incidents": [incident()]}).status_code == 201


def test_page_size_is_capped_at_1000(shared_api):
    assert shared_api.get("/api/v1/incidents?limit=1000").status_code == 200
    body = _is_problem(shared_api.get("/api/v1/incidents?limit=1001"), 422)
    assert body["errors"][0]["loc"] == ["query", "limit"]
    _is_problem(shared_api.get("/api/v1/findings?limit=0"), 422)


def test_bbox_area_is_capped(shared_api):
    body = _is_problem(shared_api.get("/api/v1/incidents?bbox=-170,-80,170,80"), 400)
    assert body["type"].endswith("/bbox-too-large")
    # OGC clients ask for the world when zoomed out: there the page, not the area, caps the work
    assert shared_api.get("/ogc/collections/incidents/items?bbox=-170,-80,170,80").status_code == 200
    assert shared_api.get("/api/v1/incidents?bbox=22,44,41,53").status_code == 200


def test_exports_are_capped(make_api):
    api = make_api(ApiSettings(max_export_records=8, rate_per_second=1e6, rate_burst=10**6))
    body = _is_problem(api.get("/api/v1/exports/csv"), 413)
    assert body["type"].endswith("/export-too-large") and "since/until" in body["detail"]
    small = api.get("/api/v1/exports/geojson?since=2026-01-02&until=2026-01-02&findings=false")
    assert small.status_code == 200 and small.headers["content-type"] == "application/geo+json"
    assert "attachment" in small.headers["content-disposition"]
    assert 0 < len(small.json()["features"]) <= 8


def test_reports_are_capped_in_incidents(make_api):
    api = make_api(ApiSettings(max_incidents_per_report=2, rate_per_second=1e6, rate_burst=10**6))
    _is_problem(api.post("/api/v1/reports", "monitor", json={"incidents": [incident()] * 3}), 422)


def test_rate_limits_are_per_token_with_retry_after(make_api):
    api = make_api(ApiSettings(rate_per_second=0.5, rate_burst=3))
    answers = [api.get("/api/v1/me", "monitor").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = api.get("/api/v1/me", "monitor")
    body = _is_problem(limited, 429)
    assert int(limited.headers["retry-after"]) >= 1 and body["type"].endswith("/rate-limited")
    assert api.get("/api/v1/me", "analyst").status_code == 200  # another token, another bucket
    assert [api.get("/api/v1/me").status_code for _ in range(4)][-1] == 429  # anonymous: per address


def test_the_token_bucket_refills_at_its_rate():
    now = [0.0]
    bucket = RateLimiter(rate=2.0, burst=2, clock=lambda: now[0])
    assert bucket.take("a") == 0 and bucket.take("a") == 0
    assert bucket.take("a") == pytest.approx(0.5)
    now[0] += 0.5
    assert bucket.take("a") == 0
    assert bucket.take("b") == 0  # keys are independent
    now[0] += 100
    assert bucket.take("a") == 0 and bucket.take("a") == 0 and bucket.take("a") > 0  # never above burst


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/no/such/path", 404),
        ("DELETE", "/api/v1/incidents", 405),
        ("PUT", "/ogc", 405),
        ("GET", "/api/v1/incidents?since=yesterday", 422),
        ("GET", "/api/v1/findings/no-such-finding", 404),
    ],
)
def test_framework_errors_are_problems_too(shared_api, method, path, status):
    _is_problem(shared_api.call(method, path), status)


def test_malformed_json_is_a_problem(api):
    response = api.post(
        "/api/v1/reports", "monitor", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    body = _is_problem(response, 422)
    assert "not json" not in json.dumps(body)  # the input is not echoed back


def test_an_unexpected_error_says_nothing_about_the_server(api, monkeypatch):
    import truce.api.routers.incidents as incidents

    def broken(*args, **kwargs):
        raise RuntimeError("SELECT * FROM incidents -- /srv/truce/secret.db password=hunter2")

    monkeypatch.setattr(incidents, "fetch_page", broken)
    response = api.get("/api/v1/incidents")
    body = _is_problem(response, 500)
    text = response.text
    assert "SELECT" not in text and "secret" not in text and "Traceback" not in text and "hunter2" not in text
    assert body["error_id"] in body["detail"]


def test_answers_are_not_cached_or_sniffed(shared_api):
    response = shared_api.get("/api/v1/incidents", "monitor")
    assert (
        response.headers["cache-control"] == "no-store"
        and response.headers["x-content-type-options"] == "nosniff"
    )


@pytest.mark.parametrize(
    "path",
    ["/api/v1/cases?state=%00", "/api/v1/incidents?type=a%00b", "/ogc/collections/incidents/items?f=%00"],
)
def test_a_nul_character_is_a_bad_request_on_either_store(shared_api, path):
    """PostgreSQL's text cannot hold NUL (SQLite's can): refused as the caller's error, never a 500."""
    body = _is_problem(shared_api.get(path, "monitor"), 400)
    assert "NUL" in body["detail"]


def test_a_nul_character_in_a_report_is_refused_and_nothing_is_stored(api):
    before = api.get("/api/v1/incidents?limit=1&count=true", "monitor").json()["number_matched"]
    response = api.post("/api/v1/reports", "monitor", json={"incidents": [incident(note="a\u0000b")]})
    assert response.status_code in (201, 400), response.text
    after = api.get("/api/v1/incidents?limit=1&count=true", "monitor").json()["number_matched"]
    assert after == before + (1 if response.status_code == 201 else 0)
