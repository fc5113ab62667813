"""The sensors' tables: observations (one row per detection, whichever file brought it), learned
baselines (versioned, with their per-cell means), and thermal anomalies.

Declared on the store's one `metadata`, like the verify stage's tables; migration 0007_sensors
creates them. Portable types only (SQLAlchemy Core), so the schema runs on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Column, Date, Float, ForeignKey, Index, Integer, String, Table, Text

from truce.store.schema import metadata

__all__ = ["sensor_baseline_cells", "sensor_baselines", "sensor_observations", "thermal_anomalies"]

sensor_observations = Table(
    "sensor_observations",
    metadata,
    Column("id", String(40), primary_key=True),  # the same detection from two files is one row
    Column("report_id", String(40), ForeignKey("reports.id"), nullable=False),  # the file that first had it
    Column("sensor", String(20), nullable=False),  # "firms"
    Column("instrument", String(20), nullable=False),
    Column("satellite", String(20)),
    Column("date", Date, nullable=False),  # UTC acquisition date
    Column("time", String(5)),  # HH:MM UTC
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("confidence", String(10)),
    Column("frp", Float),
    Column("scan_km", Float),
    Column("track_km", Float),
    Column("daynight", String(1)),
)
Index("ix_sensor_observations_date", sensor_observations.c.date)

sensor_baselines = Table(
    "sensor_baselines",
    metadata,
    Column("id", String(40), primary_key=True),  # from the digest: the same inputs give the same id
    Column("version", Integer, nullable=False, unique=True),
    Column("created_at", String(40), nullable=False),
    Column("grid_deg", Float, nullable=False),
    Column("years", Text, nullable=False),  # JSON list
    Column("params", Text, nullable=False),  # JSON: the model's parameters
    Column("sources", Text, nullable=False),  # JSON: [{file, sha256}] of the history it learned from
    Column("dispersion", Text, nullable=False),  # JSON: k per half-month
    Column("floor", Text, nullable=False),  # JSON: the mean of a cell with no fire near, per half-month
    Column("cells", Integer, nullable=False),
    Column("digest", String(64), nullable=False),
)

sensor_baseline_cells = Table(
    "sensor_baseline_cells",
    metadata,
    Column("baseline_id", String(40), ForeignKey("sensor_baselines.id"), primary_key=True),
    Column("cell_i", Integer, primary_key=True),
    Column("cell_j", Integer, primary_key=True),
    Column("window", Integer, primary_key=True),
    Column("mean", Float, nullable=False),
)

thermal_anomalies = Table(
    "thermal_anomalies",
    metadata,
    Column("id", String(60), primary_key=True),
    Column("date", Date, nullable=False),
    Column("lat", Float, nullable=False),  # the cell's centre
    Column("lon", Float, nullable=False),
    Column("admin1", String(300)),
    Column("kind", String(30), nullable=False),
    Column("count", Integer, nullable=False),
    Column("expected", Float, nullable=False),
    Column("p_value", Float, nullable=False),
    Column("baseline_id", String(40), ForeignKey("sensor_baselines.id"), nullable=False),
    Column("computed_at", String(40), nullable=False),
    Column("body", Text, nullable=False),  # the whole anomaly as JSON (basis, detections, caveat)
)
Index("ix_thermal_anomalies_date", thermal_anomalies.c.date)
