"""Cases moved through the API, and the guarantors' alerts a verified violation fires: signed with
the mission key, delivered to webhooks (HMAC-signed, retried with backoff) on a local HTTP server,
shown until acknowledged."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from truce.api.alerts import verify_alert
from truce.store.api_tables import api_deliveries


class Receiver:
    """A webhook receiver on 127.0.0.1 answering with the given statuses in turn (then 200)."""

    def __init__(self, statuses=()) -> None:
        self.statuses, self.received = list(statuses), []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((dict(self.headers), body, time.monotonic()))
                status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def receivers():
    made = []

    def make(statuses=()):
        made.append(Receiver(statuses))
        return made[-1]

    yield make
    for r in made:
        r.close()


def _wait(predicate, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def _verified_violation(api, incidents, attribution="RU"):
    opened = api.post(
        "/api/v1/cases",
        "monitor",
        json={"title": "Drone strikes on 2 January", "reason": "patrol report", "incident_ids": incidents},
    )
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["id"]
    step = api.post(
        f"/api/v1/cases/{case_id}/transitions",
        "monitor",
        json={"action": "assign", "investigator": "team-east", "reason": "start"},
    )
    assert step.status_code == 200, step.text
    decided = api.post(
        f"/api/v1/cases/{case_id}/transitions",
        "demo-monitor-2",
        json={
            "action": "decide",
            "outcome": "verified_violation",
            "facts": "established",
            "reason": "craters and fragments match",
            "attribution": attribution,
            "attribution_reason": "launch sites",
            "expected_version": 2,
        },
    )
    assert decided.status_code == 200, decided.text
    return case_id, decided.json()


def test_a_verified_russian_violation_alerts_the_guarantors(api, receivers):
    us_hook, eu_hook, nato_hook = receivers(), receivers([500, 503]), receivers([410])
    us = api.post("/api/v1/webhooks", "guarantor:US", json={"url": us_hook.url})
    eu = api.post("/api/v1/webhooks", "demo-guarantor-eu", json={"url": eu_hook.url})
    nato = api.post("/api/v1/webhooks", "admin", json={"url": nato_hook.url, "recipient": "NATO"})
    assert us.status_code == eu.status_code == nato.status_code == 201
    secrets = {"US": us.json()["secret"], "EUROPE": eu.json()["secret"]}
    assert "secret" not in api.get("/api/v1/webhooks", "guarantor:US").json()[0]

    case_id, case = _verified_violation(api, ["seed-01"])
    assert len(case["alerts"]) == 1
    alert_id = case["alerts"][0]

    shown = api.get("/api/v1/alerts", "guarantor:US").json()
    assert [a["id"] for a in shown] == [alert_id] and not shown[0]["acknowledged"]
    alert = shown[0]
    assert alert["alert"]["case"]["attribution"] == "RU" and "ceasefire" in alert["alert"]["violated"]
    assert alert["alert"]["recipients"] == ["US", "EUROPE", "NATO"]
    assert verify_alert(alert) and alert["signer"] == api.get("/api/v1/log/publicKey").text.strip()
    forged = dict(alert, body=alert["body"].replace("RU", "UA"))
    assert not verify_alert(forged)

    assert _wait(
        lambda: len(us_hook.received) == 1 and len(eu_hook.received) == 3 and len(nato_hook.received) == 1
    )
    for hook, who in ((us_hook, "US"), (eu_hook, "EUROPE")):
        headers, body, _ = hook.received[-1]
        expected = hmac.new(
            secrets[who].encode(), headers["X-Truce-Timestamp"].encode() + b"." + body, hashlib.sha256
        ).hexdigest()
        assert headers["X-Truce-Signature"] == f"sha256={expected}"
        assert verify_alert(json.loads(body)) and json.loads(body)["id"] == alert_id
    gaps = [b[2] - a[2] for a, b in zip(eu_hook.received, eu_hook.received[1:], strict=False)]
    # Exponential backoff: at least 0.25 s, then at least 0.5 s. (Lower bounds only: the handling
    # time around each wait varies with load, and on PostgreSQL the first write may open a connection.)
    assert gaps[0] >= 0.25 and gaps[1] >= 0.5
    time.sleep(0.3)
    assert len(nato_hook.received) == 1  # 410: the receiver refuses it, no retry
    with api.workspace.engine.connect() as conn:
        rows = conn.execute(select(api_deliveries).order_by(api_deliveries.c.id)).mappings().all()
    by_status = sorted((r["status"], r["delivered"]) for r in rows)
    assert by_status == [(200, 1), (200, 1), (410, 0), (500, 0), (503, 0)]

    ack = api.post(f"/api/v1/alerts/{alert_id}/acknowledge", "guarantor:US", json={"note": "received"})
    assert ack.status_code == 200 and ack.json()["acknowledged"]
    assert api.get("/api/v1/alerts", "guarantor:US").json() == []  # shown until acknowledged
    assert len(api.get("/api/v1/alerts?include_acknowledged=true", "guarantor:US").json()) == 1
    assert [a["id"] for a in api.get("/api/v1/alerts", "demo-guarantor-eu").json()] == [alert_id]
    assert api.post(f"/api/v1/alerts/{alert_id}/acknowledge", "guarantor:US", json={}).status_code == 409
    assert api.get(f"/api/v1/alerts/{alert_id}", "party_liaison:RU").status_code == 403
    staff = api.get(f"/api/v1/alerts/{alert_id}", "monitor").json()
    assert staff["recipients"]["US"]["by"] == "user:demo-guarantor-us" and staff["recipients"]["NATO"] is None


def test_no_alert_for_a_violation_the_trigger_does_not_name(api, receivers):
    _, case = _verified_violation(api, ["seed-03"], attribution="UA")  # the trigger names RU only
    assert case["alerts"] == []
    assert api.get("/api/v1/alerts", "guarantor:US").json() == []


def test_the_trigger_waits_for_attribution(api):
    opened = api.post(
        "/api/v1/cases", "monitor", json={"title": "t", "reason": "r", "incident_ids": ["seed-02"]}
    )
    case_id = opened.json()["id"]
    for role, act in (
        ("monitor", {"action": "assign", "investigator": "x", "reason": "r"}),
        (
            "demo-monitor-2",
            {"action": "decide", "outcome": "verified_violation", "facts": "established", "reason": "r"},
        ),
    ):
        case = api.post(f"/api/v1/cases/{case_id}/transitions", role, json=act).json()
    assert case["alerts"] == []
    case = api.post(
        f"/api/v1/cases/{case_id}/transitions",
        "demo-monitor-2",
        json={"action": "attribute", "party": "RU", "reason": "radar tracks"},
    ).json()
    assert len(case["alerts"]) == 1
    refer = api.post(
        f"/api/v1/cases/{case_id}/transitions",
        "monitor",
        json={"action": "refer", "recipients": ["party:RU", "guarantor:US"], "reason": "done"},
    )
    assert refer.status_code == 200 and refer.json()["alerts"] == case["alerts"]  # fired once


def test_illegal_acts_and_stale_versions_are_refused(api):
    opened = api.post("/api/v1/cases", "monitor", json={"title": "t", "reason": "r"}).json()
    path = f"/api/v1/cases/{opened['id']}/transitions"
    early = api.post(
        path,
        "monitor",
        json={"action": "decide", "outcome": "no_violation", "facts": "refuted", "reason": "r"},
    )
    assert early.status_code == 422 and "cannot decide" in early.json()["detail"]
    assert "case " not in early.json()["detail"][:5]  # the message, not the CLI's path prefix
    api.post(path, "monitor", json={"action": "assign", "investigator": "x", "reason": "r"})
    own = api.post(
        path,
        "monitor",
        json={"action": "decide", "outcome": "no_violation", "facts": "refuted", "reason": "r"},
    )
    assert own.status_code == 422 and "cannot decide" in own.json()["detail"]  # who filed it cannot decide
    stale = api.post(path, "demo-monitor-2", json={"action": "reopen", "reason": "r", "expected_version": 1})
    assert stale.status_code == 409
    unknown = api.post(path, "monitor", json={"action": "bless", "reason": "r"})
    assert unknown.status_code == 422
    assert (
        api.post(path, "analyst", json={"action": "assign", "investigator": "x", "reason": "r"}).status_code
        == 403
    )
    assert (
        api.post(
            f"/api/v1/cases/{api.ids['RU_case']}/transitions",
            "party_liaison:RU",
            json={"action": "reopen", "reason": "r"},
        ).status_code
        == 403
    )


def test_pending_deliveries_resume_after_a_restart(api, receivers, world, tmp_path):
    from fastapi.testclient import TestClient

    from truce.api import ApiSettings, create_app

    hook = receivers()
    api.post("/api/v1/webhooks", "guarantor:US", json={"url": "http://127.0.0.1:9/unreachable"})
    settings = ApiSettings(
        rate_per_second=1e6,
        rate_burst=10**6,
        webhook_attempts=2,
        webhook_backoff_seconds=0.01,
        webhook_allow="127.0.0.1",  # the test's receivers are on loopback
    )
    _verified_violation(api, ["seed-01"])
    assert _wait(lambda: len(api.get("/api/v1/alerts", "monitor").json()) == 1)
    api.post("/api/v1/webhooks", "guarantor:US", json={"url": hook.url})
    with TestClient(create_app(api.workspace, settings)):
        assert _wait(lambda: len(hook.received) == 1)  # the new webhook gets the undelivered alert


def test_a_webhook_is_checked_again_before_each_delivery(api, receivers, world, tmp_path):
    """Registered while loopback was allowed; delivered by a server that no longer allows it (as
    when a public name later resolves to an internal address): refused, not POSTed, not retried."""
    from fastapi.testclient import TestClient

    from truce.api import ApiSettings, create_app

    hook = receivers()
    assert api.post("/api/v1/webhooks", "guarantor:US", json={"url": hook.url}).status_code == 201
    strict = ApiSettings(
        rate_per_second=1e6, rate_burst=10**6, webhook_attempts=3, webhook_backoff_seconds=0.01
    )
    with TestClient(create_app(api.workspace, strict)) as client:
        token = {"Authorization": f"Bearer {api.tokens['monitor']}"}
        opened = client.post(
            "/api/v1/cases", json={"title": "t", "reason": "r", "incident_ids": ["seed-01"]}, headers=token
        ).json()
        for act in (
            {"action": "assign", "investigator": "x", "reason": "r"},
            {
                "action": "decide",
                "outcome": "verified_violation",
                "facts": "established",
                "reason": "r",
                "attribution": "RU",
                "attribution_reason": "r",
            },
        ):
            who = api.tokens["monitor" if act["action"] == "assign" else "demo-monitor-2"]
            step = client.post(
                f"/api/v1/cases/{opened['id']}/transitions",
                json=act,
                headers={"Authorization": f"Bearer {who}"},
            )
            assert step.status_code == 200, step.text

        def recorded():
            with api.workspace.engine.connect() as conn:
                return conn.execute(select(api_deliveries)).mappings().all()

        assert _wait(lambda: len(recorded()) >= 1)
        time.sleep(0.3)
    rows = recorded()
    assert hook.received == [] and len(rows) == 1  # refused once, not retried
    assert rows[0]["delivered"] == 0 and rows[0]["error"].startswith("refused target: ")


def test_staff_record_past_acts_with_both_times_and_parties_cannot_backdate(api):
    opened = api.post(
        "/api/v1/cases",
        "monitor",
        json={"title": "t", "reason": "patrol report", "at": "2026-01-10T09:00:00+02:00"},
    )
    assert opened.status_code == 201, opened.text
    path = f"/api/v1/cases/{opened.json()['id']}/transitions"
    act = {"action": "assign", "investigator": "team-east", "reason": "r", "at": "2026-01-11T10:30:00+02:00"}
    case = api.post(path, "monitor", json=act).json()
    assert [e["at"] for e in case["events"]] == ["2026-01-10T09:00:00+02:00", "2026-01-11T10:30:00+02:00"]
    stored = api.get(path.rsplit("/", 1)[0], "monitor").json()["events"]
    assert [e["at"] for e in stored] == [e["at"] for e in case["events"]]
    assert all(e["details"]["recorded_at"][:4] == str(time.gmtime().tm_year) for e in stored)  # recorded now
    # Out of order, in the future, without an offset: refused, and the case does not move.
    for at in ("2026-01-10T08:00:00+02:00", "2099-01-01T00:00:00+00:00", "2026-01-12T09:00:00"):
        bad = api.post(path, "demo-monitor-2", json={**act, "at": at})
        assert bad.status_code == 422, (at, bad.text)
    assert len(api.get(path.rsplit("/", 1)[0], "monitor").json()["events"]) == 2
    # A party's allegation is dated when it reaches the mission.
    backdated = {"title": "t", "reason": "r", "at": "2026-01-10T09:00:00+02:00"}
    party = api.post("/api/v1/cases", "party_liaison:UA", json=backdated)
    assert party.status_code == 403
