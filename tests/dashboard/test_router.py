"""The dashboard's routes without a browser: the page and its files (nothing outside its folders),
Leaflet from node_modules, the JSON the page reads as each role may see it, and the what-if
endpoint's rules; serve_demo does not block without a terminal."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from truce.api import ApiSettings, create_app
from truce.dashboard.router import leaflet_dir
from truce.demo import AGREEMENT
from truce.store import copy_workspace, open_workspace

from .conftest import FAST, INFORMANT, INFORMANT_WORDS, UA_SECRET

JANUARY = {"since": "2026-01-01", "until": "2026-01-31", "agreement": AGREEMENT}


@pytest.fixture(scope="module")
def client(dash_world, tmp_path_factory):
    folder = tmp_path_factory.mktemp("router")
    ws = open_workspace(str(copy_workspace(dash_world.db, folder)))
    with TestClient(create_app(ws, FAST), raise_server_exceptions=False) as test_client:
        test_client.tokens = dash_world.tokens
        yield test_client
    ws.engine.dispose()


def _as(client, role):
    return {"Authorization": f"Bearer {client.tokens[role]}"} if role else {}


def test_the_page_and_its_files_are_served(client):
    page = client.get("/dashboard")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "/dashboard/vendor/leaflet/leaflet.js" in page.text and "/dashboard/static/main.js" in page.text
    assert "https://" not in page.text  # nothing from a CDN
    script = client.get("/dashboard/static/main.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/static/../router.py",
        "/dashboard/static/%2e%2e/router.py",
        "/dashboard/static/..%2fdata.py",
        "/dashboard/static/no-such.js",
        "/dashboard/vendor/leaflet/../package.json",
    ],
)
def test_no_file_outside_the_dashboards_folders(client, path):
    answer = client.get(path)
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"


@pytest.mark.skipif(leaflet_dir() is None, reason="Leaflet is not installed (run `npm ci`, as make does)")
def test_leaflet_comes_from_the_npm_package(client):
    answer = client.get("/dashboard/vendor/leaflet/leaflet.js")
    assert answer.status_code == 200
    assert answer.content == (leaflet_dir() / "leaflet.js").read_bytes()
    assert client.get("/dashboard/vendor/leaflet/leaflet.css").status_code == 200


def test_config_names_the_draft_parameters_and_the_snapshot_days(client):
    config = client.get("/dashboard/api/config").json()
    agreement = next(a for a in config["agreements"] if a["id"] == AGREEMENT)
    assert agreement["parameters"]["fez_width_km"]["choices"] == [5, 10, 40]
    assert agreement["effective_day"] == "2026-01-01"
    assert config["snapshot_days"][0] == "2025-12-31" and config["snapshot_days"][-1] == "2026-01-31"
    assert config["tiles"]["url"] is None  # no external tiles unless configured
    assert config["api"] == "/api/v1"


def test_a_tile_url_can_be_configured(client, monkeypatch):
    monkeypatch.setenv("TRUCE_DASHBOARD_TILES", "http://tiles.mission.local/{z}/{x}/{y}.png")
    assert (
        client.get("/dashboard/api/config").json()["tiles"]["url"]
        == "http://tiles.mission.local/{z}/{x}/{y}.png"
    )


def test_oblasts_and_the_contact_line_on_or_before_a_day(client):
    oblasts = client.get("/dashboard/api/oblasts").json()
    assert len(oblasts["features"]) == 27
    assert {"name_en", "name_uk", "name_ru"} <= set(oblasts["features"][0]["properties"])
    line = client.get("/dashboard/api/line", params={"date": "2026-01-15"}).json()
    assert line["properties"]["date"] == "2026-01-15"
    assert line["geometry"]["type"] == "MultiLineString"
    later = client.get("/dashboard/api/line", params={"date": "2026-03-01"}).json()
    assert later["properties"]["date"] == "2026-01-31"  # the last snapshot before it
    assert client.get("/dashboard/api/line", params={"date": "2025-01-01"}).status_code == 404


def _markers(client, role=None, **params):
    answer = client.get("/dashboard/api/incidents", params={**JANUARY, **params}, headers=_as(client, role))
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_incidents_are_shown_as_each_role_may_see_them(client, dash_world):
    public, monitor, liaison = (
        _markers(client, role)["features"] for role in (None, "monitor", "party_liaison:UA")
    )
    secret = dash_world.ids["secret_incident"]
    assert secret not in {f["id"] for f in public}
    assert secret in {f["id"] for f in monitor} and secret in {f["id"] for f in liaison}
    for word in (INFORMANT, INFORMANT_WORDS, UA_SECRET):
        assert word not in str(public)
    # a marker carries what the map draws; the details are the API's own, as the caller may see them
    informant = {f["id"]: f for f in public}["dash-inf-01"]["properties"]
    assert set(informant) == {"type", "date", "status", "party", "category", "place", "approx", "zones"}
    kramatorsk = {f["id"]: f for f in public}["dash-01"]
    assert kramatorsk["geometry"]["coordinates"] == [37.556, 48.723]
    assert kramatorsk["properties"]["zones"] == ["fez-ru"]  # 20 km from the line: outside the 10 km belt
    assert kramatorsk["properties"]["place"].startswith("Kramatorsk")


def test_an_incident_placed_only_by_its_oblast_is_drawn_inside_it_and_marked(client):
    by_id = {f["id"]: f for f in _markers(client, since="2025-12-20")["features"]}
    approx = by_id["seed-10"]  # a drone strike reported for Zaporizhzhia Oblast as a whole
    assert approx["properties"]["approx"] is True and approx["geometry"]["type"] == "Point"
    assert by_id["seed-01"]["geometry"] is None  # "Ukraine": no place to draw


def test_incident_markers_come_in_capped_pages_that_join_up(client):
    everything = _markers(client, "monitor", since="2025-12-20")
    assert everything["number_returned"] == everything["number_matched"] == len(everything["features"]) > 7
    assert everything["next"] is None
    pages, after = [], None
    while True:
        page = _markers(client, "monitor", since="2025-12-20", limit=3, **({"after": after} if after else {}))
        assert page["number_returned"] == len(page["features"]) <= 3
        assert page["number_matched"] == everything["number_matched"]
        pages.append(page["features"])
        after = page["next"]
        if after is None:
            break
    assert [f["id"] for p in pages for f in p] == [f["id"] for f in everything["features"]]
    assert len(pages) == -(-everything["number_matched"] // 3)  # no empty page at the end


def test_the_marker_cap_holds_whatever_the_client_asks(dash_world, tmp_path):
    ws = open_workspace(str(copy_workspace(dash_world.db, tmp_path)))
    capped = ApiSettings(rate_per_second=1e6, rate_burst=1_000_000, max_map_incidents=4)
    with TestClient(create_app(ws, capped)) as small:
        answer = small.get("/dashboard/api/incidents", params={**JANUARY, "limit": 1000}).json()
    ws.engine.dispose()
    assert answer["number_returned"] == len(answer["features"]) == 4
    assert answer["number_matched"] > 4 and answer["next"]


@pytest.mark.parametrize("after", ["nonsense", "WzEsMl0", "W251bGwsImEiXQ", "x" * 401])
def test_a_cursor_the_server_did_not_write_is_refused(client, after):
    answer = client.get("/dashboard/api/incidents", params={**JANUARY, "after": after})
    assert answer.status_code in (400, 422)
    assert answer.headers["content-type"] == "application/problem+json"


def test_incident_markers_need_a_valid_token_if_one_is_given(client):
    refused = client.get(
        "/dashboard/api/incidents", params=JANUARY, headers={"Authorization": "Bearer trc_nope"}
    )
    assert refused.status_code == 401


def test_incident_markers_are_rate_limited_like_every_route(dash_world, tmp_path):
    ws = open_workspace(str(copy_workspace(dash_world.db, tmp_path)))
    with TestClient(create_app(ws, ApiSettings(rate_per_second=0.001, rate_burst=2))) as slow:
        statuses = [slow.get("/dashboard/api/incidents", params=JANUARY).status_code for _ in range(3)]
    ws.engine.dispose()
    assert statuses == [200, 200, 429]


@pytest.mark.parametrize("path", ["/dashboard", "/dashboard/static/main.js", "/dashboard/api/config"])
def test_dashboard_answers_carry_a_content_security_policy(client, path):
    answer = client.get(path)
    assert answer.status_code == 200
    policy = dict(part.strip().split(" ", 1) for part in answer.headers["content-security-policy"].split(";"))
    assert policy["frame-ancestors"] == "'none'" and answer.headers["x-frame-options"] == "DENY"
    assert policy["script-src"] == "'self'" and policy["default-src"] == "'none'"
    assert policy["connect-src"] == "'self'" and "https:" not in policy["img-src"]


def test_a_configured_tile_server_is_the_only_other_image_origin(client, monkeypatch):
    monkeypatch.setenv("TRUCE_DASHBOARD_TILES", "https://user:pw@tiles.mission.local:8443/{z}/{x}/{y}.png")
    policy = client.get("/dashboard").headers["content-security-policy"]
    assert "img-src 'self' data: https://tiles.mission.local:8443;" in policy
    assert "pw" not in policy


def test_the_api_itself_is_not_given_the_pages_policy(client):
    assert "content-security-policy" not in client.get("/api/v1/").headers


def test_what_if_changes_the_zones_and_counts_for_a_listed_choice_only(client):
    answer = client.get("/dashboard/api/whatif", params={**JANUARY, "set": "fez_width_km=40"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    drafted = {f["id"]: f["properties"] for f in body["baseline"]["zones"]["features"]}
    changed = {f["id"]: f["properties"] for f in body["what_if"]["zones"]["features"]}
    assert "fez-pullback-ua-10km" in drafted and "fez-pullback-ua-40km" in changed
    wide, narrow = changed["fez-pullback-ua-40km"], drafted["fez-pullback-ua-10km"]
    assert wide["area_km2"] > 2 * narrow["area_km2"]
    assert wide["incidents_inside"] > narrow["incidents_inside"]
    assert body["what_if"]["parameters"]["fez_width_km"] == 40
    violations = [body[run]["findings_by_status"]["violation"] for run in ("baseline", "what_if")]
    assert violations[1] > violations[0]
    for bad, status in (("fez_width_km=7", 400), ("znpp_radius_km=50", 400), ("fez_width_km", 400)):
        refused = client.get("/dashboard/api/whatif", params={**JANUARY, "set": bad})
        assert refused.status_code == status, (bad, refused.text)
        assert refused.headers["content-type"] == "application/problem+json"
    unknown = client.get("/dashboard/api/whatif", params={**JANUARY, "agreement": "no-such-agreement"})
    assert unknown.status_code == 404


def test_date_ranges_are_bounded(client):
    for path, params in (
        ("incidents", {"since": "2026-02-01", "until": "2026-01-01"}),
        ("incidents", {"since": "0001-01-01"}),
        ("findings", {"since": "1990-01-01", "until": "2026-01-01"}),
    ):
        assert client.get(f"/dashboard/api/{path}", params=params).status_code == 400, (path, params)


def test_serve_demo_without_a_terminal_prints_the_url_and_returns(dash_world, capsys):
    from truce.dashboard import serve_demo

    url = serve_demo(dash_world.db.parent, {"monitor": "trc_example"}, interactive=False)
    out = capsys.readouterr().out
    assert url == "http://127.0.0.1:8000/dashboard"
    assert url in out and "trc_example" in out and "monitor" in out
