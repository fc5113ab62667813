"""Sensors: observations (satellite fire detections), learned baselines and thermal anomalies.

Revision ID: 0007_sensors
Revises: 0006_runs
"""

import sqlalchemy as sa
from alembic import op

import truce.sensors.tables  # noqa: F401  (registers the tables on the store's metadata)

revision = "0007_sensors"
down_revision = "0006_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sensor_observations",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("report_id", sa.String(40), sa.ForeignKey("reports.id"), nullable=False),
        sa.Column("sensor", sa.String(20), nullable=False),
        sa.Column("instrument", sa.String(20), nullable=False),
        sa.Column("satellite", sa.String(20)),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("time", sa.String(5)),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("confidence", sa.String(10)),
        sa.Column("frp", sa.Float),
        sa.Column("scan_km", sa.Float),
        sa.Column("track_km", sa.Float),
        sa.Column("daynight", sa.String(1)),
    )
    op.create_index("ix_sensor_observations_date", "sensor_observations", ["date"])
    op.create_table(
        "sensor_baselines",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False, unique=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("grid_deg", sa.Float, nullable=False),
        sa.Column("years", sa.Text, nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("sources", sa.Text, nullable=False),
        sa.Column("dispersion", sa.Text, nullable=False),
        sa.Column("floor", sa.Text, nullable=False),
        sa.Column("cells", sa.Integer, nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
    )
    op.create_table(
        "sensor_baseline_cells",
        sa.Column("baseline_id", sa.String(40), sa.ForeignKey("sensor_baselines.id"), primary_key=True),
        sa.Column("cell_i", sa.Integer, primary_key=True),
        sa.Column("cell_j", sa.Integer, primary_key=True),
        sa.Column("window", sa.Integer, primary_key=True),
        sa.Column("mean", sa.Float, nullable=False),
    )
    op.create_table(
        "thermal_anomalies",
        sa.Column("id", sa.String(60), primary_key=True),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("admin1", sa.String(300)),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("expected", sa.Float, nullable=False),
        sa.Column("p_value", sa.Float, nullable=False),
        sa.Column("baseline_id", sa.String(40), sa.ForeignKey("sensor_baselines.id"), nullable=False),
        sa.Column("computed_at", sa.String(40), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_thermal_anomalies_date", "thermal_anomalies", ["date"])


def downgrade() -> None:
    op.drop_index("ix_thermal_anomalies_date", "thermal_anomalies")
    op.drop_table("thermal_anomalies")
    op.drop_table("sensor_baseline_cells")
    op.drop_table("sensor_baselines")
    op.drop_index("ix_sensor_observations_date", "sensor_observations")
    op.drop_table("sensor_observations")
