"""Advance notices (deconfliction): a party notifies a movement inside a zone, and the assessment,
re-run through the API, no longer counts the notified movement as a violation."""

from __future__ import annotations

import datetime as dt

from shapely.geometry import shape

from truce.api import notice_declarations
from truce.model import KYIV

AGREEMENT = "ukraine-framework-2025"


def _point_in_zone(api, zone_id: str) -> tuple[float, float]:
    zones = api.get(f"/api/v1/agreements/{AGREEMENT}/zones")
    assert zones.headers["content-type"] == "application/geo+json"
    feature = next(f for f in zones.json()["features"] if f["id"] == zone_id)
    point = shape(feature["geometry"]).representative_point()
    return point.x, point.y


def _violations(api, incident_id: str) -> set[str]:
    """The zones in which the movement is an un-notified one."""
    query = "provision=deconfliction-fez&status=violation&limit=1000"
    found = api.get(f"/api/v1/findings?{query}").json()["items"]
    return {f["zone_id"] for f in found if incident_id in f["incident_ids"]}


def _assess(api, cut_off: dt.datetime) -> dict:
    run = api.post(f"/api/v1/agreements/{AGREEMENT}/assess", "monitor", json={"cut_off": cut_off.isoformat()})
    assert run.status_code == 200, run.text
    return run.json()


def test_a_notified_movement_is_not_a_violation(api):
    now = dt.datetime.now(dt.UTC)
    lon, lat = _point_in_zone(api, "fez-pullback-ua-10km")
    day = (now + dt.timedelta(days=10)).astimezone(KYIV).date()
    movement = {
        "type": "movement",
        "date": day.isoformat(),
        "location": {"lon": lon, "lat": lat, "precision": "exact", "country": "UA"},
        "actor": "UA",
        "weapon_class": "tanks",
        "counts": {"quantity": 6},
    }
    receipt = api.post("/api/v1/reports", "monitor", json={"incidents": [movement]}).json()
    moved = receipt["incident_ids"][0]
    cut_off = now + dt.timedelta(days=30)

    _assess(api, cut_off)
    # The spot is in the Ukrainian 10 km pull-back belt and in the free economic zone itself.
    both = {"fez-pullback-ua-10km", "fez-ru"}
    assert _violations(api, moved) == both, "un-notified: a violation in each zone"

    late = api.post(
        "/api/v1/notices",
        "party_liaison:UA",
        json={
            "zone": "fez-pullback",
            "classes": ["tanks"],
            "starts": (now + dt.timedelta(hours=2)).isoformat(),
            "ends": (now + dt.timedelta(days=20)).isoformat(),
            "description": "too late",
        },
    )
    assert late.status_code == 201 and late.json()["advance_hours"] < 48
    _assess(api, cut_off)
    assert _violations(api, moved) == both, "a notice under 48 h ahead does not count"

    notice = api.post(
        "/api/v1/notices",
        "party_liaison:UA",
        json={
            "zone": "fez-pullback",
            "classes": ["heavy_forces"],
            "starts": (now + dt.timedelta(days=3)).isoformat(),
            "ends": (now + dt.timedelta(days=20)).isoformat(),
            "description": "rotation of a tank company",
        },
    )
    assert notice.status_code == 201, notice.text
    given = notice.json()
    assert given["party"] == "UA" and 71 < given["advance_hours"] <= 72  # less the time the test took
    assert abs(dt.datetime.fromisoformat(given["given_at"]) - now) < dt.timedelta(
        minutes=1
    )  # set by the server
    run = _assess(api, cut_off)
    assert run["notices"] >= 2 and run["stored"]
    assert _violations(api, moved) == {"fez-ru"}, "notified in time for the belt, not for the zone"
    other = api.post(
        "/api/v1/notices",
        "party_liaison:UA",
        json={
            "zone": "fez-ru",
            "classes": ["tanks"],
            "starts": (now + dt.timedelta(days=3)).isoformat(),
            "ends": (now + dt.timedelta(days=20)).isoformat(),
        },
    )
    assert other.status_code == 201
    _assess(api, cut_off)
    assert _violations(api, moved) == set(), "notified in time in both: no violation"

    declared = notice_declarations(api.workspace)
    assert any(
        n.party == "UA" and n.zone == "fez-pullback" and n.classes == ["heavy_forces"]
        for n in declared.notices
    )

    assert api.call("DELETE", f"/api/v1/notices/{given['id']}", "party_liaison:UA").status_code == 200
    assert api.call("DELETE", f"/api/v1/notices/{given['id']}", "party_liaison:UA").status_code == 409
    _assess(api, cut_off)
    assert _violations(api, moved) == {"fez-pullback-ua-10km"}, "a withdrawn notice covers nothing"


def test_notices_name_a_known_zone_and_a_sane_window(api):
    window = {"classes": ["tanks"], "starts": "2030-01-01T00:00:00Z", "ends": "2030-01-02T00:00:00Z"}
    assert (
        api.post("/api/v1/notices", "party_liaison:UA", json={"zone": "atlantis"} | window).status_code == 422
    )
    backwards = window | {"starts": "2030-01-03T00:00:00Z"}
    assert (
        api.post("/api/v1/notices", "party_liaison:UA", json={"zone": "fez-pullback"} | backwards).status_code
        == 422
    )
    naive = window | {"starts": "2030-01-01T00:00:00"}
    assert (
        api.post("/api/v1/notices", "party_liaison:UA", json={"zone": "fez-pullback"} | naive).status_code
        == 422
    )
    wrong_class = window | {"classes": ["battleships"]}
    assert (
        api.post(
            "/api/v1/notices", "party_liaison:UA", json={"zone": "fez-pullback"} | wrong_class
        ).status_code
        == 422
    )
    for zone in ("znpp-zone", "fez-pullback-ru-10km", "fez"):
        assert (
            api.post("/api/v1/notices", "party_liaison:RU", json={"zone": zone} | window).status_code == 201
        )


def test_what_if_runs_are_shown_not_stored(api):
    before = api.get("/api/v1/findings?limit=1&count=true").json()["number_matched"]
    run = api.post(
        f"/api/v1/agreements/{AGREEMENT}/assess",
        "monitor",
        json={"cut_off": "2026-02-01T00:00:00+02:00", "what_if": {"fez_width_km": "40"}},
    )
    assert run.status_code == 200 and run.json()["stored"] is False
    assert api.get("/api/v1/findings?limit=1&count=true").json()["number_matched"] == before
    bad = api.post(
        f"/api/v1/agreements/{AGREEMENT}/assess",
        "monitor",
        json={"cut_off": "2026-02-01T00:00:00+02:00", "what_if": {"no_such_parameter": "1"}},
    )
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


def test_every_notice_is_logged_and_an_endless_one_is_refused(api):
    from sqlalchemy import func, select

    from truce.publish.ledger import verify_workspace
    from truce.publish.log.tables import log_entries

    def logged_notices() -> int:
        with api.workspace.engine.connect() as conn:
            query = select(func.count()).where(log_entries.c.kind == "notice")
            return conn.execute(query).scalar_one()

    before = logged_notices()
    window = {"zone": "fez-pullback", "classes": ["troops"], "description": "rotation"}
    endless = api.post(
        "/api/v1/notices",
        "party_liaison:UA",
        json={**window, "starts": "2026-12-10T00:00:00Z", "ends": "2199-12-31T00:00:00Z"},
    )
    assert endless.status_code == 422 and "at most 720 hours" in endless.json()["detail"]
    given = api.post(
        "/api/v1/notices",
        "party_liaison:UA",
        json={**window, "starts": "2026-12-10T00:00:00Z", "ends": "2026-12-20T00:00:00Z"},
    )
    assert given.status_code == 201
    assert api.call("DELETE", f"/api/v1/notices/{given.json()['id']}", "party_liaison:UA").status_code == 200
    assert logged_notices() == before + 2  # the notice, then its withdrawal
    from truce.publish.ledger import publish

    publish(api.workspace)
    assert verify_workspace(api.workspace) is None


def test_an_assessment_through_the_api_is_published_to_the_log(api):
    from truce.publish.ledger import publish, verify_workspace

    publish(api.workspace)
    _assess(api, dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    assert verify_workspace(api.workspace) is None  # was "finding:…: stored content does not match"


def test_a_notice_the_log_refuses_is_not_stored(api, monkeypatch):
    from truce.publish.log import LogError

    ctx = api.client.app.state.truce

    def refuse(entries):
        raise LogError("log", None, "the disk is full")

    monkeypatch.setattr(ctx.log.store, "append", refuse)
    before = api.get("/api/v1/notices?count=true", "party_liaison:UA").json()["number_matched"]
    window = {"zone": "fez-pullback", "classes": ["troops"], "starts": "2026-12-10T00:00:00Z"}
    answer = api.post("/api/v1/notices", "party_liaison:UA", json={**window, "ends": "2026-12-11T00:00:00Z"})
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "1"
    assert "the log refused the notice" in answer.json()["detail"]
    assert api.get("/api/v1/notices?count=true", "party_liaison:UA").json()["number_matched"] == before
