"""The verify stage against a real workspace: sources, clusters, cases, evidence, quiet days."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import shapely
from sqlalchemy import func, select, update

from truce.errors import UserError
from truce.geo.control import load_bundled
from truce.model import Location
from truce.store.records import add_incidents, add_report, put_snapshot
from truce.store.verify_tables import case_events, custody_events
from truce.verify import api, store
from truce.verify.cases import IllegalTransition

SNAPSHOT_DATES = [
    "2025-12-01",
    "2025-12-28",
    "2025-12-31",
    "2026-01-01",
    "2026-01-02",
    "2026-01-03",
    "2026-01-04",
]


@pytest.fixture
def seeded(workspace, seed_incidents, seed_sources):
    """The per-article seed incidents stored under one report per article, with graded sources and
    the bundled snapshots around the claims."""
    with workspace.engine.begin() as conn:
        for source in seed_sources.values():
            store.grade_source(
                conn,
                source.id,
                actor="analyst-1",
                reason="initial grading",
                name=source.name,
                kind=source.kind,
                party=source.party,
                reliability=source.reliability,
            )
        by_report: dict[str, list] = {}
        for incident in seed_incidents:
            by_report.setdefault(incident.report_id, []).append(incident)
        for report, items in sorted(by_report.items()):
            report_id, _ = add_report(conn, report.encode(), "text", f"{report}.txt", items[0].source)
            add_incidents(conn, report_id, items)
        for day in SNAPSHOT_DATES:
            snap = load_bundled(day)
            put_snapshot(
                conn, snap.date, snap.party, snap.source, snap.sha256, 0.0, shapely.to_geojson(snap.geometry)
            )
    return workspace


def group_of(cluster: dict) -> str:
    return cluster["members"][0].split(".")[0]


# --- sources -----------------------------------------------------------------------------------


def test_grading_a_source_keeps_its_history(workspace):
    with workspace.engine.begin() as conn:
        store.grade_source(
            conn,
            "inf-1",
            actor="monitor-a",
            reason="new informant",
            name="Petro",
            kind="party_allegation",
            party="UA",
            reliability="f",
            protected=True,
        )
        store.grade_source(
            conn, "inf-1", actor="monitor-b", reason="three reports borne out", reliability="C"
        )
        history = store.source_history(conn, "inf-1")
        assert [(h["reliability"], h["actor"], h["reason"]) for h in history] == [
            ("F", "monitor-a", "new informant"),
            ("C", "monitor-b", "three reports borne out"),
        ]
        assert store.load_sources(conn)["inf-1"].reliability.value == "C"
        with pytest.raises(UserError, match="not a valid Reliability"):
            store.grade_source(conn, "inf-1", actor="x", reason="y", reliability="H")
        with pytest.raises(UserError, match="who"):
            store.grade_source(conn, "inf-1", actor=" ", reason="y", reliability="B")
    assert api.sources(workspace, "monitor")[0]["name"] == "Petro"
    assert api.sources(workspace, "public")[0]["name"] == "protected source"
    with pytest.raises(UserError, match="unknown role"):
        api.sources(workspace, "spy")


# --- clusters ----------------------------------------------------------------------------------


def test_clusters_on_the_seed(seeded):
    clusters = {group_of(c): c for c in api.clusters(seeded)}
    assert len(clusters) == 11
    residence = clusters["seed-04"]
    assert residence["status"] == "disputed" and len(residence["reports"]) == 3
    assert residence["grade"]["credibility"] == 4 and residence["grade"]["origins"] == ["party:RU"]
    assert clusters["seed-03"]["grade"]["code"] == "C1"
    assert clusters["seed-09"]["claim_check"]["verdict"] == "supported"
    assert clusters["seed-05"]["claim_check"]["verdict"] == "undecided"
    assert clusters["seed-07"]["claim_check"]["verdict"] == "contradicted"
    assert clusters["seed-02"]["claim_check"] is None


def test_reclustering_is_idempotent_and_stored_whole(seeded):
    first = api.clusters(seeded)
    again = api.clusters(seeded)
    assert first == again
    with seeded.engine.connect() as conn:
        from truce.store.verify_tables import cluster_members, clusters

        assert conn.execute(select(func.count()).select_from(clusters)).scalar() == 11
        assert conn.execute(select(func.count()).select_from(cluster_members)).scalar() == 17
        rows = conn.execute(
            select(clusters.c.claim_verdict, clusters.c.report_count).where(clusters.c.id == first[0]["id"])
        ).first()
        assert rows is not None
        assert store.stored_clusters(conn, category="territory")
        assert all(c["category"] == "territory" for c in store.stored_clusters(conn, category="territory"))


# --- cases -------------------------------------------------------------------------------------


def test_a_case_from_allegation_to_referral(seeded, tmp_path):
    api.clusters(seeded)
    case = api.case_open(
        seeded,
        "Missile strike on Kharkiv",
        alleged_by="party:UA",
        actor="liaison-ua",
        reason="UA alleges two missiles on a residential area",
        incident_ids=["seed-02.twz"],
        zone="Kharkiv",
        sector="North",
    )
    case_id = case["id"]
    # Random ids: the next one says nothing about how many (protected) cases came before.
    assert (
        re.fullmatch(r"case-[0-9a-f]{12}", case_id)
        and case["event_date"] == "2026-01-02"
        and case["category"] == "hostilities"
    )
    api.case_assign(seeded, case_id, "team-3", actor="chief-monitor", reason="nearest team")
    photo = tmp_path / "crater.jpg"
    photo.write_bytes(b"JPEG crater")
    shown = api.case_attach(
        seeded, case_id, photo, actor="team-3", reason="crater photo", media_type="image/jpeg"
    )
    (item,) = shown["evidence"]
    assert item["custody_intact"] and [e["action"] for e in item["custody"]] == ["received", "attached"]
    api.case_decide(
        seeded,
        case_id,
        "verified_violation",
        "established",
        actor="board",
        reason="fragments of two Iskander-M",
        attribution="RU",
        attribution_reason="launch area in Belgorod Oblast",
    )
    api.case_refer(
        seeded,
        case_id,
        ["party:RU", "party:UA", "guarantor:US"],
        actor="head-of-mission",
        reason="verified violation",
    )
    shown = api.case_show(seeded, case_id)
    assert shown["state"] == "referred" and shown["outcome"] == "verified_violation"
    assert shown["facts"] == "established" and shown["attribution"] == "RU"
    assert [e["action"] for e in shown["events"]] == [
        "open",
        "assign",
        "attach_evidence",
        "decide",
        "attribute",
        "refer",
    ]
    assert all(e["actor"] and e["at"] and e["reason"] for e in shown["events"])
    assert shown["audit_consistent"]
    assert shown["clusters"]["seed-02.twz"].startswith("clu-")
    assert api.case_list(seeded, state="referred")[0]["id"] == case_id


def test_an_illegal_act_changes_nothing(seeded):
    case = api.case_open(seeded, "Alleged shelling", alleged_by="party:RU", actor="liaison-ru", reason="x")
    with pytest.raises(IllegalTransition, match="cannot decide a case in state allegation"):
        api.case_decide(seeded, case["id"], "verified_violation", "established", actor="board", reason="y")
    with pytest.raises(UserError, match="not a valid Facts"):
        api.case_decide(seeded, case["id"], "verified_violation", "maybe", actor="board", reason="y")
    with pytest.raises(UserError, match="no such case"):
        api.case_show(seeded, "case-9999")
    with pytest.raises(UserError, match="no such incident"):
        api.case_open(seeded, "t", alleged_by="party:RU", actor="a", reason="r", incident_ids=["nope"])
    with seeded.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(case_events)).scalar() == 1
    # A decision with an illegal attribution part rolls back the decision too (one transaction).
    api.case_assign(seeded, case["id"], "team-1", actor="chief", reason="go")
    with pytest.raises(IllegalTransition, match="needs a reason"):
        api.case_decide(
            seeded,
            case["id"],
            "verified_violation",
            "established",
            actor="board",
            reason="y",
            attribution="RU",
            attribution_reason="",
        )
    assert api.case_show(seeded, case["id"])["state"] == "under_investigation"


def test_a_stale_case_is_not_overwritten(seeded):
    case_id = api.case_open(seeded, "t", alleged_by="party:UA", actor="a", reason="r")["id"]
    with seeded.engine.begin() as conn:
        stale = store.load_case(conn, case_id)
        store.assign_case(conn, case_id, "team-1", "chief", "first")
        from truce.verify import cases as flow

        with pytest.raises(UserError, match="changed while you worked"):
            store._save(conn, stale, flow.assign(stale, "team-2", "chief", "second", datetime.now(UTC)))


def test_tampered_custody_shows(seeded, tmp_path):
    case_id = api.case_open(seeded, "t", alleged_by="party:UA", actor="a", reason="r")["id"]
    evidence_file = tmp_path / "log.txt"
    evidence_file.write_bytes(b"radar log")
    digest = api.case_attach(seeded, case_id, evidence_file, actor="monitor-b", reason="radar")["attached"]
    with seeded.engine.begin() as conn:
        conn.execute(update(custody_events).where(custody_events.c.seq == 1).values(holder="someone else"))
    item = api.case_show(seeded, case_id)["evidence"][0]
    assert item["sha256"] == digest and not item["custody_intact"]
    assert "edited" in item["problems"][0]
    with pytest.raises(UserError, match="cannot read"):
        api.case_attach(seeded, case_id, tmp_path / "missing.bin", actor="x", reason="y")


def test_the_same_file_is_stored_once_across_cases(seeded, tmp_path):
    shared = tmp_path / "video.mp4"
    shared.write_bytes(b"drone video")
    first = api.case_open(seeded, "a", alleged_by="party:UA", actor="x", reason="r")["id"]
    second = api.case_open(seeded, "b", alleged_by="party:UA", actor="x", reason="r")["id"]
    api.case_attach(seeded, first, shared, actor="monitor-a", reason="video")
    shown = api.case_attach(seeded, second, shared, actor="monitor-b", reason="same video", holder="registry")
    custody = shown["evidence"][0]["custody"]
    assert [e["action"] for e in custody] == ["received", "attached", "transferred", "attached"]
    assert shown["evidence"][0]["custody_intact"]
    with seeded.engine.connect() as conn:
        from truce.store.verify_tables import evidence

        assert conn.execute(select(func.count()).select_from(evidence)).scalar() == 1


# --- quiet days and interference ---------------------------------------------------------------


def decided(ws, zone: str, day: date, outcome: str = "verified_violation", facts: str = "established") -> str:
    case_id = api.case_open(
        ws,
        f"{zone} {day}",
        alleged_by="monitors",
        actor="patrol",
        reason="seen",
        zone=zone,
        sector="East",
        event_date=day,
    )["id"]
    api.case_assign(ws, case_id, "team", actor="chief", reason="go")
    api.case_decide(ws, case_id, outcome, facts, actor="board", reason="findings")
    return case_id


def test_quiet_days_from_verified_violations(workspace):
    decided(workspace, "Zolote", date(2026, 1, 3))
    decided(workspace, "Petrivske", date(2026, 1, 8))
    decided(workspace, "Stanytsia Luhanska", date(2026, 1, 9), "no_violation", "refuted")  # does not count
    counts = {(c["scope"], c["name"]): c for c in api.quiet(workspace, as_of=date(2026, 1, 10))}
    assert counts[("zone", "Zolote")]["quiet_days"] == 7 and counts[("zone", "Zolote")]["meets_rule"]
    assert counts[("zone", "Petrivske")]["quiet_days"] == 2
    assert counts[("zone", "Stanytsia Luhanska")]["quiet_days"] == 8  # since the first case's date
    assert counts[("sector", "East")]["quiet_days"] == 2
    (only,) = api.quiet(workspace, zone="Zolote", as_of=date(2026, 1, 10))
    assert only["name"] == "Zolote"
    (unknown,) = api.quiet(workspace, zone="Elsewhere", as_of=date(2026, 1, 10))
    assert unknown["last_violation"] is None
    with pytest.raises(UserError):
        api.quiet(workspace, since=date(2026, 2, 1), as_of=date(2026, 1, 1))


def test_interference_is_recorded_and_reported_apart(workspace):
    place = Location(
        name="Zolote", country="UA", admin1="Luhansk Oblast", lat=48.69, lon=38.51, precision="settlement"
    )
    first = api.record_interference(
        workspace,
        "denied_access",
        date(2026, 1, 15),
        place,
        reported_by="team-2",
        description="denied access to the holding area",
        actor="RU",
    )
    again = api.record_interference(
        workspace,
        "denied_access",
        date(2026, 1, 15),
        place,
        reported_by="team-2",
        description="denied access to the holding area",
        actor="RU",
    )
    assert first["id"] == again["id"]  # the same record twice is one report
    api.record_interference(
        workspace,
        "jamming",
        date(2026, 1, 16),
        place,
        reported_by="team-2",
        description="UAV lost GPS at 600 m",
    )
    report = api.interference(workspace)
    assert report["total"] == 2 and report["by_kind"] == {"denied_access": 1, "jamming": 1}
    assert api.interference(workspace, since=date(2026, 1, 16))["total"] == 1
    with pytest.raises(UserError, match="unknown interference kind"):
        api.record_interference(
            workspace, "rudeness", date(2026, 1, 15), place, reported_by="t", description="d"
        )
    with workspace.engine.connect() as conn:
        assert "monitor:team-2" in store.load_sources(conn)
    assert all(c["category"] == "interference" for c in api.clusters(workspace))


def test_timestamps_default_to_now(workspace):
    before = datetime.now(UTC) - timedelta(seconds=2)
    case = api.case_open(workspace, "t", alleged_by="party:UA", actor="a", reason="r")
    assert datetime.fromisoformat(case["events"][0]["at"]) >= before
