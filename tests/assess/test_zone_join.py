"""The point-in-zone join of `truce assess`: PostGIS on PostgreSQL selects exactly the incidents that
shapely selects in memory (edges left out on both), and the assessment's findings are the same."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import shapely
import sqlalchemy as sa

import truce.assess.zone_join as zone_join_module
from truce.agreement.bundled import bundled_agreement_path
from truce.agreement.loader import load_agreement
from truce.agreement.resolve import resolve
from truce.assess.evidence import load_evidence
from truce.assess.run import assess_workspace
from truce.assess.snapshots import SnapshotIndex
from truce.assess.zone_join import zone_join_in_memory, zone_join_in_postgis
from truce.assess.zones import agreement_zones
from truce.demo import AGREEMENT, CUT_OFF
from truce.geo.zones import Zone
from truce.store import open_workspace
from truce.store.schema import incidents


def _demo_zones(conn):
    agreement = resolve(load_agreement(bundled_agreement_path(AGREEMENT)), {})
    snapshots = SnapshotIndex(conn, agreement.reference.occupying_party)
    return [rz.zone for rz in agreement_zones(agreement, snapshots.on_or_before)]


@pytest.mark.parametrize("store_kind", ["postgresql"], indirect=True)
@pytest.mark.both_stores
def test_postgis_puts_points_in_the_demo_zones_as_shapely_does(demo_copy):
    workspace = open_workspace(demo_copy)
    try:
        with workspace.engine.connect() as conn:
            zones = _demo_zones(conn)
        # the demo's incidents, random points over the zones, and points on the zones' vertices
        west, south, east, north = shapely.total_bounds([z.geometry for z in zones])
        rng = np.random.default_rng(16)
        scattered = zip(rng.uniform(west, east, 4000), rng.uniform(south, north, 4000), strict=True)
        vertices = np.concatenate([shapely.get_coordinates(z.geometry)[::25] for z in zones])
        points = {f"p{n}": (float(x), float(y)) for n, (x, y) in enumerate([*scattered, *vertices])}
        with workspace.engine.begin() as conn:
            _store_points(conn, points)
        with workspace.engine.connect() as conn:
            evidence = load_evidence(conn)
            by_postgis = zone_join_in_postgis(conn)(zones, evidence)
            # a part of the evidence (what one caller may see): the masks follow its rows
            part = evidence.without(evidence.id[::3])
            part_by_postgis = zone_join_in_postgis(conn)(zones, part)
    finally:
        workspace.engine.dispose()
    in_memory = zone_join_in_memory(zones, evidence)
    assert len(zones) >= 4 and all(mask.sum() >= 10 for mask in in_memory.values())  # not vacuous
    for zone in zones:
        assert np.array_equal(by_postgis[zone.id], in_memory[zone.id]), zone.id
        assert np.array_equal(part_by_postgis[zone.id], zone_join_in_memory([zone], part)[zone.id]), zone.id


def _store_points(conn, points: dict[str, tuple[float | None, float | None]]) -> None:
    conn.exec_driver_sql("insert into sources (id, name, created_at) values ('test-s', 'S', 'now')")
    conn.exec_driver_sql(
        "insert into reports (id, sha256, format, received_at, size, content) "
        "values ('test-r', 'x', 'jsonl', 'now', 0, '')"
    )
    row = {"report_id": "test-r", "type": "shelling", "date": dt.date(2026, 1, 5), "date_precision": "day"}
    row |= {"t_start": 0, "t_end": 1, "precision": "settlement", "status": "claimed", "body": "{}"}
    conn.execute(sa.insert(incidents), [row | {"id": k, "lon": x, "lat": y} for k, (x, y) in points.items()])


@pytest.mark.parametrize("store_kind", ["postgresql"], indirect=True)
@pytest.mark.both_stores
def test_points_on_a_zone_edge_or_in_its_hole_are_outside_on_both_joins(workspace):
    hole = [(36.5, 47.5), (37, 47.5), (37, 48)]
    square = shapely.Polygon([(36, 47), (38, 47), (38, 49), (36, 49)], holes=[hole])
    zone = Zone("square", "a square with a hole", shapely.MultiPolygon([square]))
    points = {
        "inside": (37.5, 48.5),
        "vertex": (36.0, 47.0),
        "edge": (37.0, 49.0),
        "hole": (36.8, 47.6),
        "hole-edge": (36.75, 47.5),
        "just-inside": (36.0 + 1e-9, 48.0),
        "outside": (35.0, 48.0),
        "unlocated": (None, None),
    }
    with workspace.engine.begin() as conn:
        _store_points(conn, points)
    with workspace.engine.connect() as conn:
        evidence = load_evidence(conn)
        by_postgis = zone_join_in_postgis(conn)([zone], evidence)["square"]
    in_memory = zone_join_in_memory([zone], evidence)["square"]
    assert set(evidence.id[by_postgis]) == {"inside", "just-inside"}
    assert np.array_equal(by_postgis, in_memory)


@pytest.mark.parametrize("store_kind", ["postgresql"], indirect=True)
@pytest.mark.both_stores
@pytest.mark.parametrize("join", ["postgis", "default"])
def test_assess_on_postgresql_joins_in_postgis_when_asked_and_finds_what_sqlite_finds(
    demo_copy, demo_dir, monkeypatch, join
):
    if join == "postgis":
        monkeypatch.setenv("TRUCE_ZONE_JOIN", "postgis")
    else:
        monkeypatch.delenv("TRUCE_ZONE_JOIN", raising=False)
    asked = []

    def counted(conn, area):
        asked.append(area)
        return found(conn, area)

    found = zone_join_module.incident_ids_in_area
    monkeypatch.setattr(zone_join_module, "incident_ids_in_area", counted)
    path = bundled_agreement_path(AGREEMENT)
    results = {}
    for db in (demo_copy, str(demo_dir / "truce.db")):
        workspace = open_workspace(db)
        try:
            run = assess_workspace(workspace, path, cut_off=CUT_OFF, store=False)
        finally:
            workspace.engine.dispose()
        results[db] = {f.id: f.model_dump_json() for f in run.findings}
        if db == demo_copy:
            if join == "postgis":
                assert len(asked) >= 4  # every zone of the terms was asked of PostGIS
            else:
                assert not asked  # by default shapely joins in memory, the faster way
            asked.clear()
    assert not asked  # SQLite: shapely in memory
    on_postgres, on_sqlite = results[demo_copy], results[str(demo_dir / "truce.db")]
    assert len(on_sqlite) > 40 and on_postgres == on_sqlite
