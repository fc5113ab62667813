"""The January 2026 counterfactual (`make demo`): what docs/assessment.md says it shows."""

import json
from collections import Counter

from truce.demo import main


def test_demo_writes_findings_as_json_and_geojson(demo_dir, tmp_path, capsys):
    out = tmp_path / "demo-out"
    assert main([str(out), "--no-serve"]) == 0
    rows = json.loads((out / "findings.json").read_text())
    geo = json.loads((out / "findings.geojson").read_text())
    assert geo["type"] == "FeatureCollection"
    assert {f["properties"]["record"] for f in geo["features"]} == {"incident", "finding"}
    assert len([f for f in geo["features"] if f["properties"]["record"] == "finding"]) == len(rows)
    printed = capsys.readouterr().out
    assert "findings" in printed and "what-if" in printed
    assert "satellite thermal anomalies" in printed and "Odesa Oblast" in printed  # the real detections'


def test_the_counterfactual_findings(demo_dir):
    from truce.store import open_workspace
    from truce.store.records import stored_findings

    with open_workspace(str(demo_dir / "truce.db")).engine.connect() as conn:
        rows = stored_findings(conn, "ukraine-framework-2025")
    by = Counter((r["provision_id"], r["status"]) for r in rows)
    assert by[("ceasefire", "violation")] == 3 and by[("ceasefire", "possible_violation")] == 1
    ceasefire = {r["party"] for r in rows if r["provision_id"] == "ceasefire" and r["status"] == "violation"}
    assert ceasefire == {"RU", "UA"}
    freeze = [r for r in rows if r["provision_id"] == "front-line-freeze"]
    # 14 days: 31 December (the line at signature) to 1 January is the first day compared.
    assert len(freeze) == 14 and all(r["status"] == "violation" and r["party"] == "RU" for r in freeze)
    huliaipole = [r for r in freeze if "Huliaipole" in r["places"]]
    assert huliaipole[0]["date"] == "2026-01-16" and huliaipole[0]["measured"]["gained_km2"] > 20
    withdrawal = {r["measured"]["oblast"]: r["status"] for r in rows if r["provision_id"] == "ru-withdrawal"}
    assert withdrawal["Kharkiv Oblast"] == "violation" and len(withdrawal) == 4
    # Cut off at 1 February 00:00 Kyiv, the state measured is the snapshot of 31 January.
    assert {r["date"] for r in rows if r["provision_id"] == "ru-withdrawal"} == {"2026-01-31"}
    assert by[("peacetime-cap", "not_assessable")] == 1 and by[("referendum", "pending")] == 1


def test_the_demo_gives_the_same_findings_and_log_on_both_stores(demo_dir, pg_demo, pg_cluster):
    """SQLite and PostgreSQL + PostGIS: the same findings, id for id and byte for byte, and the same
    log leaves (the signed roots differ only by key, as each workspace has its own mission key)."""
    from sqlalchemy import select

    from truce.publish.log.tables import log_entries
    from truce.store import open_workspace
    from truce.store.schema import findings

    def read(db):
        workspace = open_workspace(db)
        try:
            with workspace.engine.connect() as conn:
                found = {row.id: row.body for row in conn.execute(select(findings.c.id, findings.c.body))}
                leaves = conn.execute(select(log_entries.c.leaf_hash).order_by(log_entries.c.seq)).all()
        finally:
            workspace.engine.dispose()
        return found, leaves

    on_sqlite = read(str(demo_dir / "truce.db"))
    on_postgres = read(pg_cluster.url(pg_demo[0]))
    assert len(on_sqlite[0]) > 40
    assert on_postgres[0] == on_sqlite[0]
    assert len(on_postgres[1]) == len(on_sqlite[1])
