"""point_in_box: PostGIS on PostgreSQL, lon/lat comparisons on SQLite, the same rows on both."""

import datetime as dt

import pytest
import sqlalchemy as sa

from truce.store.schema import incidents
from truce.store.spatial import point_in_box

pytestmark = pytest.mark.both_stores

POINTS = {
    "inside": (36.0, 48.0),
    "west-edge": (30.0, 48.0),
    "north-east-corner": (40.0, 50.0),
    "outside": (41.0, 48.0),
    "far-east": (179.5, 10.0),
    "far-west": (-179.5, 10.0),
    "no-point": (None, None),
}
BOXES = {
    (30.0, 45.0, 40.0, 50.0): {"inside", "west-edge", "north-east-corner"},
    (179.0, 0.0, -179.0, 20.0): {"far-east", "far-west"},  # across the antimeridian
    (-180.0, -90.0, 180.0, 90.0): set(POINTS) - {"no-point"},
}


def _fill(workspace):
    with workspace.engine.begin() as conn:
        conn.exec_driver_sql("insert into sources (id, name, created_at) values ('s', 'S', 'now')")
        conn.exec_driver_sql(
            "insert into reports (id, sha256, format, received_at, size, content) "
            "values ('r', 'x', 'jsonl', 'now', 0, '')"
        )
        row = {"report_id": "r", "type": "shelling", "date": dt.date(2026, 1, 5), "date_precision": "day"}
        row |= {"t_start": 0, "t_end": 1, "precision": "settlement", "status": "claimed", "body": "{}"}
        conn.execute(
            sa.insert(incidents),
            [row | {"id": name, "lon": lon, "lat": lat} for name, (lon, lat) in POINTS.items()],
        )


@pytest.mark.parametrize("box", sorted(BOXES))
def test_the_same_points_are_in_a_box_on_either_store(workspace, box):
    _fill(workspace)
    with workspace.engine.connect() as conn:
        query = sa.select(incidents.c.id).where(point_in_box(incidents.c.lon, incidents.c.lat, box))
        assert set(conn.execute(query).scalars()) == BOXES[box]


def test_postgresql_answers_a_box_from_the_gist_index(workspace, store_kind):
    query = sa.select(incidents.c.id).where(point_in_box(incidents.c.lon, incidents.c.lat, (30, 45, 40, 50)))
    sql = str(query.compile(workspace.engine))
    if store_kind == "sqlite":
        assert "BETWEEN" in sql and "geom" not in sql
        return
    assert "incidents.geom && ST_MakeEnvelope(30.0, 45.0, 40.0, 50.0, 4326)" in sql
    with workspace.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")  # an empty table: make the planner show its index
        literal = query.compile(workspace.engine, compile_kwargs={"literal_binds": True})
        plan = "\n".join(conn.execute(sa.text(f"EXPLAIN {literal}")).scalars())
    assert "ix_incidents_geom" in plan
