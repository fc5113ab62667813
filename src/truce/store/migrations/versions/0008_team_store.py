"""The team store. Rate-limit buckets in the database, so every API worker spends the same budget
(UNLOGGED on PostgreSQL: losing them in a crash only refills everyone's budget). And on PostgreSQL,
PostGIS geometry columns beside the portable lon/lat and GeoJSON columns, kept by the database itself
(generated columns), with GiST indexes for bbox and zone-membership filters; on SQLite shapely does
the spatial work and nothing else changes.

Revision ID: 0008_team_store
Revises: 0007_sensors
"""

import sqlalchemy as sa
from alembic import op

# Registers the API's tables on the store's metadata wherever migrations run (see 0004).
import truce.store.api_tables  # noqa: F401

revision = "0008_team_store"
down_revision = "0007_sensors"
branch_labels = None
depends_on = None

_POINT = (
    "geometry(Point, 4326) GENERATED ALWAYS AS ("
    "CASE WHEN lon IS NOT NULL AND lat IS NOT NULL THEN ST_SetSRID(ST_MakePoint(lon, lat), 4326) END"
    ") STORED"
)
# Snapshots are stored as GeoJSON text (the bytes that were imported); PostGIS reads it as 4326.
_AREA = "geometry(Geometry, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_GeomFromGeoJSON(geometry), 4326)) STORED"
GEOMETRY_COLUMNS = {"incidents": _POINT, "findings": _POINT, "control_snapshots": _AREA}


def upgrade() -> None:
    op.create_table(
        "api_rate_buckets",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("tokens", sa.Float, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("allowed", sa.Boolean, nullable=False),
    )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE api_rate_buckets SET UNLOGGED")
    op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    for table, column in GEOMETRY_COLUMNS.items():
        op.execute(f"ALTER TABLE {table} ADD COLUMN geom {column}")
        op.execute(f"CREATE INDEX ix_{table}_geom ON {table} USING gist (geom)")


def downgrade() -> None:
    op.drop_table("api_rate_buckets")
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in GEOMETRY_COLUMNS:
        op.execute(f"ALTER TABLE {table} DROP COLUMN geom")
