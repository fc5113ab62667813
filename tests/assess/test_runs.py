"""Assessment runs: whole or not at all, reproducible, comparable, and bound by their cut-off."""

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from truce.assess.snapshots import save_snapshot
from truce.geo.control import bundled_snapshots, load_bundled
from truce.publish.log.tables import log_entries
from truce.store import open_workspace
from truce.store.schema import assessment_runs, findings


def _state(db: str) -> tuple[list[tuple], int, int]:
    """Findings (id and body), runs and log entries: everything an assessment may change."""
    with open_workspace(db).engine.connect() as conn:
        rows = conn.execute(select(findings.c.id, findings.c.body).order_by(findings.c.id)).all()
        runs = conn.execute(select(func.count()).select_from(assessment_runs)).scalar()
        logged = conn.execute(select(func.count()).select_from(log_entries)).scalar()
    return [tuple(r) for r in rows], runs, logged


@pytest.mark.parametrize("what_if", ["fez_width_km=7", "foo=1", "fez-pullback.no_such_field=3"])
def test_a_failing_what_if_changes_nothing(cli, demo_copy, what_if):
    db = str(demo_copy)
    before = _state(db)
    status, _, err = cli("assess", "--what-if", what_if, db=db)
    assert status == 2 and err.count("\n") == 1
    assert _state(db) == before


def test_a_run_that_fails_while_publishing_leaves_store_and_log_as_they_were(cli, demo_copy, monkeypatch):
    import truce.publish.ledger as ledger

    db = str(demo_copy)
    before = _state(db)

    def broken_checkpoint(self, signer, conn=None):
        raise RuntimeError("disk full")

    # New findings (a later cut-off) would be appended to the log, then signing fails.
    monkeypatch.setattr(ledger.LogStore, "checkpoint", broken_checkpoint)
    with pytest.raises(RuntimeError):
        cli("assess", "--until", "2026-03-15", db=db)
    assert _state(db) == before


def test_same_inputs_give_the_same_findings_and_an_empty_diff(cli, demo_copy):
    db = str(demo_copy)
    cli("assess", "--until", "2026-02-01", db=db)
    first = _state(db)[0]
    cli("assess", "--until", "2026-02-01", db=db)
    assert _state(db)[0] == first  # same ids, same bodies
    status, out, _ = cli("findings", "--diff", "last", "--json", db=db)
    change = json.loads(out)
    assert status == 0 and change["added"] == change["removed"] == change["changed"] == []


def test_findings_diff_names_what_a_later_cut_off_added_and_changed(cli, demo_copy):
    db = str(demo_copy)
    cli("assess", "--until", "2026-01-15", db=db)
    cli("assess", "--until", "2026-02-01", db=db)
    status, out, _ = cli("findings", "--runs", "--json", db=db)
    runs = json.loads(out)
    assert status == 0 and [r["cut_off"][:10] for r in runs[-2:]] == ["2026-01-15", "2026-02-01"]
    old, new = runs[-2]["id"], runs[-1]["id"]
    _, out, _ = cli("findings", "--diff", f"{old}:{new}", "--json", db=db)
    change = json.loads(out)
    stored = {r["id"]: r for r in json.loads(cli("findings", "--json", db=db)[1])}
    added = [stored[i] for i in change["added"]]
    # Every front-line gain from 15 January on is new; every added finding is dated after the old cut-off.
    assert added and all(r["date"] >= "2026-01-15" for r in added if r["date"])
    assert any(r["provision_id"] == "front-line-freeze" and r["date"] == "2026-01-16" for r in added)
    assert change["removed"] == [] or all(i not in stored for i in change["removed"])
    _, text, _ = cli("findings", "--diff", f"{old}:{new}", db=db)
    assert f"run {old} → run {new}: {len(change['added'])} added" in text


@pytest.mark.parametrize("spec", ["1", "a:b", "last:"])
def test_a_bad_diff_spec_is_a_user_error(cli, demo_copy, spec):
    status, _, err = cli("findings", "--diff", spec, db=str(demo_copy))
    assert status == 2 and "--diff" in err


def test_diff_of_a_run_that_does_not_exist(cli, demo_copy):
    status, _, err = cli("findings", "--diff", "1:999", db=str(demo_copy))
    assert status == 2 and "no assessment run 999" in err


def test_cut_off_uses_only_snapshots_complete_by_it(cli, demo_copy, demo_dir):
    """With every bundled snapshot imported (1 February's too), --until 2026-02-01 (00:00 Kyiv) gives
    exactly the demo's findings: 1 February's map is not complete at the cut-off."""
    db = str(demo_copy)
    with open_workspace(db).engine.begin() as conn:
        for day in bundled_snapshots():
            save_snapshot(conn, load_bundled(day))
    assert max(bundled_snapshots()) >= dt.date(2026, 2, 1)
    cli("assess", "--until", "2026-02-01", db=db)
    assert _state(db)[0] == _state(str(demo_dir / "truce.db"))[0]
    rows = json.loads(cli("findings", "--json", db=db)[1])
    assert not [r for r in rows if r["date"] and r["date"] >= "2026-02-01"]
    withdrawal = [r for r in rows if r["kind"] == "withdrawal"]
    assert len(withdrawal) == 4 and {r["date"] for r in withdrawal} == {"2026-01-31"}
    assert all(r["snapshot_dates"] == ["2026-01-31"] for r in withdrawal)

    # An hour later 1 February's map is still incomplete; a day later it is used.
    def measured_on_maps(until):
        cli("assess", "--until", until, db=db)
        rows = json.loads(cli("findings", "--json", db=db)[1])
        return [r for r in rows if r["kind"] in ("withdrawal", "territory_freeze")]

    assert measured_on_maps("2026-02-01T01:00") == [
        r for r in rows if r["kind"] in ("withdrawal", "territory_freeze")
    ]
    later = measured_on_maps("2026-02-02")
    assert {r["date"] for r in later if r["kind"] == "withdrawal"} == {"2026-02-01"}


def test_the_31_january_report_shows_the_demo_withdrawal_violations(cli, demo_copy):
    db = str(demo_copy)
    with open_workspace(db).engine.begin() as conn:
        for day in bundled_snapshots():
            save_snapshot(conn, load_bundled(day))
    cli("assess", "--until", "2026-02-01", db=db)
    status, out, _ = cli("report", "--date", "2026-01-31", "--format", "json", db=db)
    assert status == 0
    report = json.loads(out)
    text = json.dumps(report)
    for oblast in ("Kharkiv", "Sumy", "Mykolaiv", "Dnipropetrovsk"):
        assert f"of {oblast} Oblast on 2026-01-31" in text


def test_an_unchanged_run_rewrites_no_finding_and_publishes_nothing(cli, demo_copy, monkeypatch):
    import truce.store.records as records

    db = str(demo_copy)
    cli("assess", "--until", "2026-02-01", db=db)
    before = _state(db)
    written: list[int] = []
    real = records.FindingsReplacer.finish

    def counted(self):
        written.append(real(self))
        return written[-1]

    monkeypatch.setattr(records.FindingsReplacer, "finish", counted)
    status, _, _ = cli("assess", "--until", "2026-02-01", db=db)
    after = _state(db)
    assert status == 0 and written == [0]
    assert after[0] == before[0] and after[2] == before[2]  # same findings, no new log entry


def test_replacing_findings_writes_only_what_changed(demo_copy):
    from truce.store.records import FindingsReplacer, body_digest

    def replace(conn, agreement, rows, batch):
        replacer = FindingsReplacer(conn, agreement)
        for start in range(0, len(rows), batch):
            replacer.write(rows[start : start + batch])
        return replacer.finish()

    with open_workspace(str(demo_copy)).engine.begin() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(findings).order_by(findings.c.id))]
        agreement = rows[0]["agreement_id"]
        mine = [r for r in rows if r["agreement_id"] == agreement]
        assert replace(conn, agreement, mine, 1000) == 0
        changed = {**mine[5], "rationale": "changed", "body": mine[5]["body"].replace("}", ', "x": 1}', 1)}
        changed["digest"] = body_digest(changed["body"])
        kept = [*mine[:4], *mine[6:], changed]  # one changed (in the last batch), one dropped, the rest kept
        assert replace(conn, agreement, kept, 3) == 1
        stored = {
            r.id: r.digest for r in conn.execute(select(findings).where(findings.c.agreement_id == agreement))
        }
    assert stored == {r["id"]: r["digest"] for r in kept}
