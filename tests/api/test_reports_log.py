"""Submitting reports (JSON and text): receipts, idempotent retries, stored bytes, and the report's
digest in the tamper-evident log with Rekor-shaped proofs that verify."""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import quote

from sqlalchemy import select

from truce.publish.ledger import verify_workspace
from truce.publish.log.merkle import verify_consistency, verify_inclusion
from truce.publish.log.tables import log_entries

from .conftest import incident


def test_a_structured_report_is_acknowledged_with_where_to_find_it(api):
    body = {
        "incidents": [incident(), incident(type="drone_strike", date="2026-01-06")],
        "published_on": "2026-01-07",
    }
    made = api.post("/api/v1/reports", "monitor", json=body)
    assert made.status_code == 201
    receipt = made.json()
    assert made.headers["location"].endswith(f"/api/v1/reports/{receipt['report_id']}")
    assert receipt["new"] is True and len(receipt["incident_ids"]) == 2 and receipt["protected"] is False
    assert receipt["incident_ids"][0] == f"{receipt['report_id']}-001"
    again = api.post("/api/v1/reports", "monitor", json=body)  # a client retrying after a lost answer
    assert (
        again.status_code == 200
        and again.json()["report_id"] == receipt["report_id"]
        and not again.json()["new"]
    )
    content = api.get(f"/api/v1/reports/{receipt['report_id']}/content", "monitor").content
    assert hashlib.sha256(content).hexdigest() == receipt["sha256"]
    shown = api.get(f"/api/v1/reports/{receipt['report_id']}", "monitor").json()
    assert shown["incident_ids"] == receipt["incident_ids"] and shown["format"] == "api-json"
    assert api.get(f"/api/v1/incidents/{receipt['incident_ids'][1]}").json()["type"] == "drone_strike"


def test_the_same_incidents_from_another_user_are_another_report(api):
    body = {"incidents": [incident(evidence="same words")]}
    first = api.post("/api/v1/reports", "monitor", json=body).json()
    second = api.post("/api/v1/reports", "demo-monitor-2", json=body).json()
    assert first["report_id"] != second["report_id"] and second["new"]


def test_a_text_report_goes_through_extraction(api):
    text = (
        "Russian forces shelled Huliaipole in Zaporizhzhia Oblast on January 5, 2026, "
        "regional governor Ivan Fedorov said. Two civilians were injured."
    )
    made = api.post(
        "/api/v1/reports/text",
        "party_liaison:UA",
        json={
            "text": text,
            "published_on": "2026-01-06",
            "title": "Shelling of Huliaipole",
            "allegation": {"title": "Shelling of Huliaipole", "reason": "see text", "alleged_against": "RU"},
        },
    )
    assert made.status_code == 201, made.text
    receipt = made.json()
    assert receipt["protected"] and receipt["owner_party"] == "UA" and receipt["case_id"]
    assert receipt["incident_ids"], "the extractor found the shelling"
    found = api.get(f"/api/v1/incidents/{receipt['incident_ids'][0]}", "party_liaison:UA").json()
    assert found["location"]["name"] == "Huliaipole" and found["date"] == "2026-01-05"
    assert api.get(f"/api/v1/incidents/{receipt['incident_ids'][0]}", "party_liaison:RU").status_code == 404
    case = api.get(f"/api/v1/cases/{receipt['case_id']}", "party_liaison:UA").json()
    assert case["incident_ids"] == receipt["incident_ids"] and case["protected"]


def test_every_acknowledged_report_is_in_the_log_with_proofs_that_verify(api):
    receipt = api.post("/api/v1/reports", "monitor", json={"incidents": [incident()]}).json()
    head = api.get("/api/v1/log").json()
    assert head["treeSize"] >= 1 and head["signedTreeHead"].startswith(head["treeID"] + "\n")
    entry = api.get(f"/api/v1/log/entries/{receipt['log_entry_id']}").json()
    assert (
        entry["entry"]["body"]["id"] == receipt["report_id"]
        and entry["entry"]["body"]["sha256"] == receipt["sha256"]
    )
    leaf = base64.b64decode(entry["body"])
    assert hashlib.sha256(b"\x00" + leaf).hexdigest() == entry["leafHash"]
    proof = entry["inclusionProof"]
    assert {"logIndex", "treeSize", "rootHash", "hashes", "checkpoint"} <= set(proof)
    verify_inclusion(
        proof["logIndex"],
        proof["treeSize"],
        bytes.fromhex(entry["leafHash"]),
        [bytes.fromhex(h) for h in proof["hashes"]],
        bytes.fromhex(proof["rootHash"]),
    )
    old = head["treeSize"]
    api.post("/api/v1/reports", "monitor", json={"incidents": [incident(date="2026-01-09")]})
    new = api.post("/api/v1/log/checkpoint", "monitor").json()
    assert new["treeSize"] == old + 1 and new["pendingEntries"] == 0
    consistency = api.get(f"/api/v1/log/proof?firstSize={old}&lastSize={new['treeSize']}").json()
    verify_consistency(
        old,
        new["treeSize"],
        bytes.fromhex(head["rootHash"]),
        bytes.fromhex(consistency["rootHash"]),
        [bytes.fromhex(h) for h in consistency["hashes"]],
    )
    assert api.get("/api/v1/log/publicKey").text.startswith("truce-mission+")
    # The API's digests are the ones `truce publish` would make: publish, then verify the workspace.
    from truce.publish.ledger import publish

    publish(api.workspace)
    assert verify_workspace(api.workspace) is None


def test_log_errors_are_problems(api):
    assert api.get("/api/v1/log/entries/no-such-entry").status_code == 404
    assert api.get("/api/v1/log/proof?firstSize=5&lastSize=2").status_code == 400
    assert api.get("/api/v1/log/proof?firstSize=0").status_code == 422
    too_far = api.get("/api/v1/log/proof?firstSize=1&lastSize=999999")
    assert too_far.status_code == 400 and too_far.headers["content-type"] == "application/problem+json"


def test_case_acts_go_into_the_log_and_the_workspace_verifies(api):
    from truce.publish.ledger import publish

    publish(api.workspace)  # the world was built without publishing
    opened = api.post(
        "/api/v1/cases", "monitor", json={"title": "t", "reason": "r", "incident_ids": ["seed-02"]}
    )
    case_id = opened.json()["id"]
    api.post(
        f"/api/v1/cases/{case_id}/transitions",
        "monitor",
        json={"action": "assign", "investigator": "x", "reason": "r"},
    )
    api.post(
        "/api/v1/reports",
        "party_liaison:UA",
        json={"incidents": [incident()], "allegation": {"title": "t", "reason": "r"}},
    )
    assert verify_workspace(api.workspace) is None  # nothing the API stored is missing from the log
    with api.workspace.engine.connect() as conn:
        logged = [
            (r[0], json.loads(r[1])) for r in conn.execute(select(log_entries.c.entry_id, log_entries.c.body))
        ]
    acts = [i for i, e in logged if e["kind"] == "case_transition" and e["body"].get("case_id") == case_id]
    assert len(acts) == 2
    entry = api.get(f"/api/v1/log/entries/{quote(acts[1], safe='')}").json()
    body = entry["entry"]["body"]
    assert body["action"] == "assign" and entry["inclusionProof"]["treeSize"] > entry["logIndex"]
    # The public sees the step, not who took it or why: those are committed to, not shown.
    assert set(body) == {"case_id", "seq", "action", "from_state", "to_state", "at", "commitment"}
