"""Leaks between parties (issue 10): the public log, monitors' names, clusters, alerts, what-if
counts, findings, case ids and exports, each computed from what the caller may see."""

from __future__ import annotations

import dataclasses
import json

import pytest
from sqlalchemy import select, update

from truce.publish.commitments import commitment, committer
from truce.publish.ledger import mission_key, publish, verify_workspace
from truce.publish.log.tables import log_entries
from truce.store.verify_tables import case_events

from .conftest import RU_SECRET, UA_SECRET

STAFF_NAMES = ("user:", "demo-monitor", "demo-admin", "demo-analyst")


def _log_text(api) -> str:
    with api.workspace.engine.connect() as conn:
        return "\n".join(r[0].decode() for r in conn.execute(select(log_entries.c.body)))


def test_the_public_log_commits_to_protected_records_without_their_words(api, tmp_path):
    publish(api.workspace)
    text = _log_text(api)
    assert UA_SECRET not in text and RU_SECRET not in text
    assert not [name for name in STAFF_NAMES if name in text]  # no monitor is named
    bundle = tmp_path / "bundle.json"
    from truce.publish.ledger import log_store

    log_store(api.workspace).export_bundle(bundle, vkeys=[mission_key(api.workspace).vkey])
    published = bundle.read_text()
    assert UA_SECRET not in published and RU_SECRET not in published and "user:" not in published
    with api.workspace.engine.connect() as conn:
        ids = [r[0] for r in conn.execute(select(log_entries.c.entry_id))]
    served = "".join(api.get(f"/api/v1/log/entries/{i.replace('#', '%23')}").text for i in ids)
    assert UA_SECRET not in served and RU_SECRET not in served and "user:" not in served


def test_an_entitled_party_can_open_its_commitment_and_verify_still_checks_it(api):
    publish(api.workspace)
    case_id = api.ids["UA_case"]
    with api.workspace.engine.connect() as conn:
        event = dict(
            conn.execute(select(case_events).where(case_events.c.case_id == case_id, case_events.c.seq == 1))
            .mappings()
            .one()
        )
        logged = {
            r[0]: json.loads(r[1]) for r in conn.execute(select(log_entries.c.entry_id, log_entries.c.body))
        }
    opening = committer(api.workspace).opening("case_transition", f"{case_id}#1", event)
    entry = logged[opening["entry_id"]]
    assert entry["body"] == {"commitment": commitment(bytes.fromhex(opening["salt"]), event)}
    assert verify_workspace(api.workspace) is None
    with api.workspace.engine.begin() as conn:  # someone rewrites the allegation's reason
        conn.execute(
            update(case_events)
            .where(case_events.c.case_id == case_id, case_events.c.seq == 1)
            .values(reason="nothing happened")
        )
    assert verify_workspace(api.workspace).startswith(f"case_transition:{case_id}#1: ")


def test_a_protected_reports_digest_is_a_commitment(api):
    publish(api.workspace)
    report_id = api.ids["UA_report"]
    text = _log_text(api)
    assert report_id not in text  # neither its id nor its hash and size, which could be tested
    assert verify_workspace(api.workspace) is None


def test_monitors_are_not_named_to_the_parties_or_the_public(api):
    from .conftest import incident

    made = api.post("/api/v1/reports", "monitor", json={"incidents": [incident(note="patrol 4")]}).json()
    incident_id = made["incident_ids"][0]
    for key in (None, "party_liaison:UA", "party_liaison:RU", "guarantor:US"):
        assert api.get(f"/api/v1/incidents/{incident_id}", key).json()["source"] == "mission"
        for path in (
            f"/ogc/collections/incidents/items/{incident_id}",
            "/api/v1/exports/geojson",
            "/api/v1/exports/csv",
            "/api/v1/exports/acled",
        ):
            text = api.get(path, key).text
            assert "user:" not in text and "demo-monitor" not in text, (key, path)
    # The mission still knows who filed it.
    assert (
        api.get(f"/api/v1/incidents/{incident_id}", "monitor").json()["submitted_by"] == "user:demo-monitor"
    )


def _decide(api, case_id: str, reason: str) -> dict:
    for body in (
        {"action": "assign", "investigator": "team-east", "reason": reason},
        {
            "action": "decide",
            "outcome": "verified_violation",
            "facts": "established",
            "reason": reason,
            "attribution": "RU",
            "attribution_reason": reason,
        },
    ):
        step = api.post(f"/api/v1/cases/{case_id}/transitions", "monitor", json=body)
        assert step.status_code == 200, step.text
    return step.json()


def test_a_guarantor_alert_on_a_protected_case_carries_the_decision_not_the_allegation(api):
    decided = _decide(api, api.ids["UA_case"], "MONITOR-REASONING crater analysis")
    assert decided["alerts"], "the ceasefire trigger fires on a verified violation attributed to RU"
    alert = api.get(f"/api/v1/alerts/{decided['alerts'][0]}", "guarantor:US").json()
    text = json.dumps(alert)
    assert "UA alleges" not in text and UA_SECRET not in text and "MONITOR-REASONING" not in text
    case = alert["alert"]["case"]
    assert case["outcome"] == "verified_violation" and case["attribution"] == "RU" and case["protected"]


def test_what_if_counts_only_what_the_caller_may_see(api):
    params = {"agreement": "ukraine-framework-2025", "since": "2025-12-01", "until": "2026-02-01"}

    def assessed(key):
        answer = api.get("/dashboard/api/whatif", key, params=params)
        assert answer.status_code == 200, answer.text
        return answer.json()["baseline"]["incidents_assessed"]

    staff, public = assessed("monitor"), assessed(None)
    ua, ru = assessed("party_liaison:UA"), assessed("party_liaison:RU")
    # Two protected allegations (one per party): the public's run leaves both out, each party's its
    # rival's only; the same number as the incidents each may list.
    assert staff == public + 2 and ua == ru == public + 1
    listed = api.get("/api/v1/incidents?limit=1&count=true", None).json()
    assert listed["number_matched"] == public


def test_uncached_what_ifs_are_limited_per_token(make_api):
    from .conftest import FAST

    # Two at once, then one a day: no run refills the budget while the test's assessments take their time.
    api = make_api(dataclasses.replace(FAST, what_if_runs_per_minute=1 / 1440, what_if_burst=2))
    params = {"agreement": "ukraine-framework-2025", "since": "2026-01-01", "until": "2026-01-31"}
    first = api.get("/dashboard/api/whatif", None, params={**params, "set": "fez_width_km=40"})
    assert first.status_code == 200  # two runs: the draft and the changed one
    again = api.get("/dashboard/api/whatif", None, params={**params, "set": "fez_width_km=40"})
    assert again.status_code == 200  # cached: free
    other = api.get("/dashboard/api/whatif", None, params={**params, "set": "fez_width_km=5"})
    assert other.status_code == 429 and "Retry-After" in other.headers
    assert (
        api.get("/dashboard/api/whatif", "analyst", params={**params, "set": "fez_width_km=5"}).status_code
        == 200
    )


def test_a_cluster_is_seen_as_made_of_what_the_caller_may_see(api):
    from .conftest import incident

    ua_incident = api.ids["UA_incident"]
    # A public report of the same shelling, less precisely placed than the allegation.
    public = incident(actor="RU", status="reported", source="Local paper")
    public["location"] = {**public["location"], "lat": 47.67, "lon": 36.27}
    public_id = api.post("/api/v1/reports", "monitor", json={"incidents": [public]}).json()["incident_ids"][0]
    assert api.post("/api/v1/clusters/recompute", "monitor").status_code == 200
    staff = [
        c
        for c in api.get("/api/v1/clusters?limit=1000", "monitor").json()["items"]
        if public_id in c["members"]
    ]
    assert len(staff) == 1 and ua_incident in staff[0]["members"], "the mission sees one event, two reports"
    stored = staff[0]
    for key in (None, "party_liaison:RU", "guarantor:US"):
        listed = api.get("/api/v1/clusters?limit=1000", key).json()
        (seen,) = [c for c in listed["items"] if public_id in c["members"]]
        text = json.dumps(seen)
        assert seen["members"] == [public_id] and "withheld_members" not in seen
        assert seen["location"]["lat"] == 47.67 and "47.66" not in text  # the allegation's exact place
        assert seen["id"] != stored["id"] and seen["origin_count"] == 1
        assert seen["credibility"] >= stored["credibility"]  # not raised by the hidden report
        assert api.get(f"/api/v1/clusters/{seen['id']}", key).json() == seen  # the view's id resolves
        assert api.get(f"/api/v1/clusters/{stored['id']}", key).status_code == 404  # the stored one does not
    own = api.get(f"/api/v1/clusters/{stored['id']}", "party_liaison:UA").json()
    assert sorted(own["members"]) == sorted(stored["members"])  # UA sees its own allegation in it


def test_a_finding_on_a_protected_allegation_keeps_its_place_and_words_from_others(api):
    run = api.post(
        "/api/v1/agreements/ukraine-framework-2025/assess",
        "monitor",
        json={"cut_off": "2026-02-01T00:00:00+02:00"},
    )
    assert run.status_code == 200, run.text
    ua_incident = api.ids["UA_incident"]
    staff = api.get("/api/v1/findings?limit=1000", "monitor").json()["items"]
    mine = [f for f in staff if ua_incident in f["incident_ids"] and f["lon"] is not None]
    assert mine, "the allegation (shelling after the ceasefire) gives a finding at its place"
    finding = mine[0]
    box = f"{finding['lon'] - 0.01},{finding['lat'] - 0.01},{finding['lon'] + 0.01},{finding['lat'] + 0.01}"
    for key in (None, "party_liaison:RU", "guarantor:US"):
        seen = api.get(f"/api/v1/findings/{finding['id']}", key).json()
        assert seen["lon"] is None and seen["lat"] is None and seen["places"] == [] and seen["measured"] == {}
        assert ua_incident not in seen["incident_ids"] and seen["rationale"] != finding["rationale"]
        boxed = api.get(f"/ogc/collections/findings/items?bbox={box}&limit=1000", key).json()
        assert finding["id"] not in {f["id"] for f in boxed["features"]}  # nor found by narrowing a box
    own = api.get(f"/api/v1/findings/{finding['id']}", "party_liaison:UA").json()
    assert own["lon"] == finding["lon"] and own["rationale"] == finding["rationale"]
    boxed = api.get(f"/ogc/collections/findings/items?bbox={box}&limit=1000", "monitor").json()
    assert finding["id"] in {f["id"] for f in boxed["features"]}


@pytest.mark.parametrize("world", ["sqlite"], indirect=True)  # reads the SQLite file itself
def test_truce_export_is_public_by_default_and_marks_protected_rows_when_internal(api, tmp_path):
    from truce.cli.main import main

    from .conftest import INFORMANT, INFORMANT_WORDS

    db = str(api.workspace.engine.url.database)
    secrets = (UA_SECRET, RU_SECRET, INFORMANT, INFORMANT_WORDS, "internal note", "user:")
    for fmt in ("geojson", "csv", "acled", "gpkg"):
        public = tmp_path / f"public.{fmt}"
        assert main(["--db", db, "export", str(public), "--format", fmt]) == 0
        data = public.read_bytes()
        assert not [s for s in secrets if s.encode() in data], fmt
    internal = tmp_path / "internal.geojson"
    assert main(["--db", db, "export", str(internal), "--format", "geojson", "--internal"]) == 0
    features = json.loads(internal.read_text())["features"]
    by_id = {f["id"]: f["properties"] for f in features if f["properties"]["record"] == "incident"}
    allegation = by_id[api.ids["UA_incident"]]
    assert allegation["evidence"] == UA_SECRET  # the mission's own copy holds it...
    assert allegation["note"].startswith("[PROTECTED - NOT FOR PUBLICATION] allegation of UA")  # ...marked
    assert by_id[api.ids["informant_incident"]]["note"].startswith(
        "[PROTECTED - NOT FOR PUBLICATION] protected"
    )
    unmarked = [
        p
        for i, p in by_id.items()
        if i not in (api.ids["UA_incident"], api.ids["RU_incident"], api.ids["informant_incident"])
    ]
    assert unmarked and not [p for p in unmarked if "PROTECTED" in (p.get("note") or "")]


def test_numbers_beyond_exact_json_are_refused_at_the_edge(api):
    from .conftest import incident

    for counts in ({"launched": 2**53 + 1}, {"quantity": 10**30}, {"area_km2": 1e300}):
        answer = api.post("/api/v1/reports", "monitor", json={"incidents": [incident(counts=counts)]})
        assert answer.status_code == 422, (counts, answer.status_code, answer.text)
    huge = api.post("/api/v1/reports", "monitor", json={"incidents": [incident(killed=2**60)]})
    assert huge.status_code == 422
    fine = api.post("/api/v1/reports", "monitor", json={"incidents": [incident(counts={"launched": 116})]})
    assert fine.status_code == 201
