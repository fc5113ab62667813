import datetime as dt
import json
import sqlite3


def test_clusters_grade_and_check_the_seed(cli, demo_copy):
    status, out, _ = cli("clusters", "--json", db=str(demo_copy))
    rows = json.loads(out)
    assert status == 0 and len(rows) == 11
    verdicts = {r["claim_check"]["verdict"] for r in rows if r.get("claim_check")}
    assert "supported" in verdicts  # Siversk


def test_a_case_from_allegation_to_referral_is_audited_and_logged(cli, demo_copy):
    db = str(demo_copy)
    status, out, _ = cli(
        "case",
        "open",
        "Missile strike on Kharkiv",
        "--alleged-by",
        "UA",
        "--against",
        "RU",
        "--incident",
        "seed-02",
        "--date",
        "2026-01-02",
        "--reason",
        "party allegation",
        "--actor",
        "liaison-ua",
        "--json",
        db=db,
    )
    case_id = json.loads(out)["id"]
    assert status == 0
    assert (
        cli("case", "assign", case_id, "monitor-1", "--reason", "site visit", "--actor", "chief", db=db)[0]
        == 0
    )
    status, _, err = cli(
        "case",
        "decide",
        case_id,
        "verified_violation",
        "--facts",
        "established",
        "--reason",
        "crater analysis",
        "--attribution",
        "RU",
        "--attribution-reason",
        "trajectory",
        "--actor",
        "monitor-1",
        db=db,
    )
    assert status == 0, err
    assert (
        cli(
            "case",
            "refer",
            case_id,
            "party:RU",
            "guarantor:US",
            "--reason",
            "verified",
            "--actor",
            "chief",
            db=db,
        )[0]
        == 0
    )
    _, out, _ = cli("case", "show", case_id, "--json", db=db)
    case = json.loads(out)
    actions = [e["action"] for e in case["events"]]
    assert actions[0] == "open" and "refer" in actions[-1] and len(actions) >= 5
    assert all(e["actor"] and e["reason"] for e in case["events"])
    with sqlite3.connect(demo_copy) as conn:
        logged = conn.execute("select count(*) from log_entries where kind = 'case_transition'").fetchone()[0]
    assert logged >= 4
    assert cli("verify", db=db)[0] == 0


def test_an_illegal_transition_is_a_user_error(cli, demo_copy):
    db = str(demo_copy)
    _, out, _ = cli(
        "case", "open", "x", "--alleged-by", "RU", "--reason", "r", "--actor", "a", "--json", db=db
    )
    case_id = json.loads(out)["id"]
    status, _, err = cli("case", "refer", case_id, "party:UA", "--reason", "too early", "--actor", "b", db=db)
    assert status == 2 and err.count("\\n") <= 1


def test_quiet_days_and_sources(cli, demo_copy):
    status, out, _ = cli(
        "quiet", "--as-of", "2026-01-31", "--since", "2026-01-01", "--json", db=str(demo_copy)
    )
    assert status == 0 and json.loads(out)[0]["required"] == 7
    status, out, _ = cli("sources", "--json", db=str(demo_copy))
    # The seed's structured reports, and NASA FIRMS for the satellite detections.
    assert status == 0 and [s["id"] for s in json.loads(out)] == ["nasa-firms", "seed-structured"]


def test_quiet_gives_the_report_s_figures_for_every_zone_and_day(cli, demo_copy):
    """The figure `truce quiet --as-of D` gives for a zone is the one the report for D prints."""
    from truce.publish.report import build_report
    from truce.store import open_workspace

    db = str(demo_copy)
    ws = open_workspace(db)
    for day in ("2026-01-15", "2026-01-31"):
        report = build_report(ws, dt.date.fromisoformat(day), publish_first=False).figures["quiet"]
        status, out, _ = cli("quiet", "--as-of", day, "--json", db=db)
        counted = {r["name"]: r["quiet_days"] for r in json.loads(out) if r["scope"] in ("all", "zone")}
        assert status == 0 and counted == {q["zone"]: q["quiet_days"] for q in report}
        assert {"fez-pullback-ua-10km", "fez-pullback-ru-10km", "fez-ru", "znpp-zone"} <= set(counted)
    ws.engine.dispose()
    status, _, err = cli("quiet", "--as-of", "2026-01-15", "--zone", "no-such-zone", db=db)
    assert status == 2 and "unknown zone 'no-such-zone'; one of fez-pullback-ru-10km" in err
    assert err.count("\n") == 1


def test_a_past_act_keeps_when_it_happened_and_when_and_by_whom_it_was_recorded(cli, demo_copy, monkeypatch):
    """A case opened and assigned on past days (--at) is pending in the reports of those days,
    in the state it had then; the audit trail keeps both times and who recorded each act."""
    from truce.publish.report import build_report
    from truce.store import open_workspace

    monkeypatch.setenv("TRUCE_USER", "clerk-9")
    db = str(demo_copy)
    status, out, err = cli(
        "case", "open", "Shelling of Kupiansk", "--alleged-by", "party:UA", "--reason", "as alleged",
        "--against", "RU", "--actor", "liaison-ua", "--at", "2026-01-14T18:30+02:00", "--json", db=db,
    )  # fmt: skip
    assert status == 0, err
    case_id = json.loads(out)["id"]
    status, _, err = cli(
        "case", "assign", case_id, "team-4", "--reason", "nearest", "--actor", "chief",
        "--at", "2026-01-16T09:00+02:00", db=db,
    )  # fmt: skip
    assert status == 0, err
    ws = open_workspace(db)

    def pending(day: str) -> dict:
        report = build_report(ws, dt.date.fromisoformat(day), publish_first=False).figures
        return {c["id"]: c["state"] for c in report["cases"]["pending"]}

    assert case_id not in pending("2026-01-13")
    assert pending("2026-01-14")[case_id] == "allegation"
    assert pending("2026-01-15")[case_id] == "allegation"
    assert pending("2026-01-16")[case_id] == "under_investigation"
    ws.engine.dispose()
    status, out, _ = cli("case", "show", case_id, "--json", db=db)
    events = json.loads(out)["events"]
    assert [e["at"] for e in events] == ["2026-01-14T18:30:00+02:00", "2026-01-16T09:00:00+02:00"]
    assert [e["actor"] for e in events] == ["liaison-ua", "chief"]
    assert {e["details"]["recorded_by"] for e in events} == {"clerk-9"}
    recorded = dt.datetime.fromisoformat(events[0]["details"]["recorded_at"])
    assert abs((dt.datetime.now(dt.UTC) - recorded).total_seconds()) < 600  # recorded now, not then
    for at, message in (
        ("2099-01-01T00:00+02:00", "is in the future"),
        ("2026-01-14T18:30", "give the UTC offset"),
        ("yesterday", "expected a time like"),
        ("2026-01-15T00:00+02:00", "before the case's last act"),
    ):
        status, _, err = cli("case", "assign", case_id, "team-5", "--reason", "r", "--at", at, db=db)
        assert status == 2 and message in err and err.count("\n") == 1, err
