"""HEAD and OPTIONS on every resource; CORS only for the origins the operator lists."""

from __future__ import annotations

from truce.api import ApiSettings

MAP = "https://map.example.org"


def test_head_is_the_get_without_its_body(shared_api):
    for path in ("/ogc", "/ogc/collections/incidents/items?limit=3", "/openapi.json", "/api/v1/incidents"):
        got, head = shared_api.get(path), shared_api.call("HEAD", path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"]
    assert shared_api.call("HEAD", "/api/v1/cases").status_code == shared_api.get("/api/v1/cases").status_code


def test_options_lists_the_methods_of_the_path(shared_api):
    answer = shared_api.call("OPTIONS", "/ogc/collections/findings/items")
    assert answer.status_code == 204 and answer.headers["allow"] == "GET, HEAD, OPTIONS"
    assert set(shared_api.call("OPTIONS", "/api/v1/reports").headers["allow"].split(", ")) >= {"GET", "POST"}
    assert shared_api.call("OPTIONS", "/no/such/path").status_code == 404


def test_cors_is_off_by_default(shared_api):
    answer = shared_api.get("/ogc/collections", headers={"Origin": MAP})
    assert answer.status_code == 200 and "access-control-allow-origin" not in answer.headers
    preflight = shared_api.call(
        "OPTIONS", "/ogc/collections", headers={"Origin": MAP, "Access-Control-Request-Method": "GET"}
    )
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_lets_listed_origins_read_and_no_other(make_api):
    api = make_api(ApiSettings(cors_origins=f"{MAP}/, https://other.example", rate_per_second=1e6,
                               rate_burst=10**6))
    read = api.get("/ogc/collections/incidents/items", headers={"Origin": MAP})
    assert read.status_code == 200 and read.headers["access-control-allow-origin"] == MAP
    assert "access-control-allow-credentials" not in read.headers
    preflight = api.call(
        "OPTIONS",
        "/ogc/collections",
        headers={"Origin": MAP, "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "authorization"},
    )
    assert preflight.status_code == 200 and "authorization" in preflight.headers[
        "access-control-allow-headers"].lower()
    writing = api.call(
        "OPTIONS", "/api/v1/reports", headers={"Origin": MAP, "Access-Control-Request-Method": "POST"}
    )
    assert writing.status_code == 400  # another site's page may read, not write
    stranger = api.get("/ogc", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in stranger.headers
