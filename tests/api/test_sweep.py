"""The per-role sweep (issue 10): a marker planted in every free-text field of one party's protected
submission (its incident, allegation, case acts, notice) and in the monitors' reasons on that case
appears in no response, export, log entry or alert that the other party, a guarantor or the public
can get: every GET route of the API, the dashboard's JSON and the OGC layers, each object by id,
every log entry, every export format, `truce export` and `truce log export`."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from truce.api.app import route_permissions
from truce.cli.main import main
from truce.publish.ledger import publish
from truce.publish.log.tables import log_entries

from .conftest import incident

MARK = "MARKER-c0ffee"
PARTY = "party_liaison:UA"
OUTSIDERS = [None, "public", "guarantor:US", "party_liaison:RU"]


def _plant(api) -> None:
    located = incident(
        actor="RU",
        type="shelling",
        evidence=f"{MARK} evidence",
        note=f"{MARK} note",
        claimed_by=f"{MARK} claimant",
        target=f"{MARK}-target",
    )
    located["location"] = {**located["location"], "name": f"{MARK} shelter", "lat": 47.6612, "lon": 36.2633}
    body = {
        "incidents": [located],
        "allegation": {"title": f"{MARK} title", "reason": f"{MARK} reason", "alleged_against": "RU"},
    }
    receipt = api.post("/api/v1/reports", PARTY, json=body)
    assert receipt.status_code == 201, receipt.text
    case_id = receipt.json()["case_id"]
    notice = {
        "zone": "fez-pullback",
        "classes": ["tanks"],
        "starts": "2030-01-01T00:00:00Z",
        "ends": "2030-01-02T00:00:00Z",
        "description": f"{MARK} notice",
    }
    assert api.post("/api/v1/notices", PARTY, json=notice).status_code == 201
    for act in (
        {"action": "assign", "investigator": "team-east", "reason": f"{MARK} assign"},
        {
            "action": "decide",
            "outcome": "verified_violation",
            "facts": "established",
            "reason": f"{MARK} decide",
            "attribution": "RU",
            "attribution_reason": f"{MARK} attribution",
        },
    ):
        step = api.post(f"/api/v1/cases/{case_id}/transitions", "monitor", json=act)
        assert step.status_code == 200, step.text
    assert step.json()["alerts"], "the decision alerts the guarantors"
    assert api.post("/api/v1/clusters/recompute", "monitor").status_code == 200
    assessed = api.post(
        "/api/v1/agreements/ukraine-framework-2025/assess",
        "monitor",
        json={"cut_off": "2026-02-01T00:00:00+02:00"},
    )
    assert assessed.status_code == 200, assessed.text
    publish(api.workspace)


def _ids(api) -> dict[str, list[str]]:
    """Every object's id, as the mission sees them."""

    def items(path: str, key: str = "items") -> list[dict]:
        return api.get(path, "monitor").json()[key]

    return {
        "incidents": [i["id"] for i in items("/api/v1/incidents?limit=1000")],
        "reports": [r["id"] for r in items("/api/v1/reports?limit=1000")],
        "cases": [c["id"] for c in items("/api/v1/cases?limit=1000")],
        "clusters": [c["id"] for c in items("/api/v1/clusters?limit=1000")],
        "findings": [f["id"] for f in items("/api/v1/findings?limit=1000")],
        "notices": [n["id"] for n in items("/api/v1/notices?limit=1000")],
        "alerts": [a["id"] for a in api.get("/api/v1/alerts", "monitor").json()],
    }


def _paths(api, ids: dict[str, list[str]]) -> list[str]:
    paths = []
    for methods, path, _ in route_permissions(api.client.app):
        if "GET" not in methods or "{" in path or path.startswith("/dashboard/vendor"):
            continue
        paths.append(path + ("?limit=1000" if path.startswith("/api/v1/") else ""))
    window = "since=2025-12-01&until=2026-03-01"
    paths += [
        f"/dashboard/api/incidents?{window}",
        f"/dashboard/api/findings?{window}",
        f"/dashboard/api/whatif?agreement=ukraine-framework-2025&{window}",
        "/ogc/collections/incidents/items?limit=1000",
        "/ogc/collections/findings/items?limit=1000",
        "/ogc/collections/findings/items?limit=1000&bbox=36.2,47.6,36.3,47.7",
        "/api/v1/exports/geojson",
        "/api/v1/exports/csv",
        "/api/v1/exports/acled",
        "/api/v1/exports/gpkg",
        # routes that need a parameter: the day the allegation is about (report 5/2026)
        "/dashboard/api/line?date=2026-01-05",
        "/dashboard/api/control?date=2026-01-05",
        "/ogc/collections/thermal-anomalies/items?limit=1000",
        "/reports/5-2026.html?lang=en",
        "/reports/5-2026.html?lang=uk",
    ]
    for kind, found in ids.items():
        paths += [f"/api/v1/{kind}/{i}" for i in found]
    paths += [f"/api/v1/reports/{i}/content" for i in ids["reports"]]
    paths += [f"/ogc/collections/incidents/items/{i}" for i in ids["incidents"]]
    paths += [f"/ogc/collections/findings/items/{i}" for i in ids["findings"]]
    with api.workspace.engine.connect() as conn:
        entries = [r[0] for r in conn.execute(select(log_entries.c.entry_id))]
    paths += [f"/api/v1/log/entries/{e.replace('#', '%23')}" for e in entries]
    return paths


@pytest.fixture
def planted(api):
    _plant(api)
    ids = _ids(api)
    return api, ids, _paths(api, ids)


def test_the_marker_reaches_the_party_and_the_mission(planted):
    api, ids, paths = planted
    assert MARK in api.get(f"/api/v1/cases/{ids['cases'][-1]}", "monitor").text or any(
        MARK in api.get(f"/api/v1/cases/{c}", "monitor").text for c in ids["cases"]
    )
    own = "".join(api.get(p, PARTY).text for p in paths if "/api/v1/incidents/" in p)
    assert MARK in own  # the sweep would see the marker if it leaked: the party's own view has it


@pytest.mark.parametrize("key", OUTSIDERS)
def test_no_response_an_outsider_can_get_holds_the_marker(planted, key):
    api, _, paths = planted
    leaks = [p for p in paths if MARK.encode() in api.get(p, key).content]
    assert not leaks, f"{key}: {leaks[:5]}"


@pytest.mark.parametrize("world", ["sqlite"], indirect=True)  # reads the SQLite file itself
def test_published_files_hold_no_marker(planted, tmp_path):
    api, _, _ = planted
    db = str(api.workspace.engine.url.database)
    for fmt in ("geojson", "csv", "acled", "gpkg"):
        out = tmp_path / f"public.{fmt}"
        assert main(["--db", db, "export", str(out), "--format", fmt]) == 0
        assert MARK.encode() not in out.read_bytes(), fmt
    for fmt in ("json", "md"):  # the daily report of the day the allegation is about
        out = tmp_path / f"report.{fmt}"
        assert (
            main(["--db", db, "report", "--date", "2026-01-05", "--format", fmt, "--output", str(out)]) == 0
        )
        assert MARK not in out.read_text(), fmt
    bundle = tmp_path / "log.json"
    assert main(["--db", db, "log", "export", str(bundle)]) == 0
    assert MARK not in bundle.read_text()
    with api.workspace.engine.connect() as conn:
        bodies = b"".join(r[0] for r in conn.execute(select(log_entries.c.body)))
    assert MARK.encode() not in bodies and not re.search(rb"user:demo-", bodies)
    alert = json.dumps(api.get("/api/v1/alerts", "guarantor:US").json())
    assert alert != "[]" and MARK not in alert
