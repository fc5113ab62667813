"""Satellite thermal anomalies as features: the grid cell as a polygon, the anomaly's figures as
flat columns. Public to every role: anomalies rest only on NASA's public detections and history, and
no party's protected material goes into them (which allegation an anomaly corroborates lives in the
clusters, each shown as the caller may see it)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select

from truce.api.paging import Keyset
from truce.publish.columns import Properties
from truce.sensors.tables import sensor_baselines, thermal_anomalies
from truce.store.records import days_within

__all__ = [
    "ANOMALY_ORDER",
    "ANOMALY_PROPERTIES",
    "anomaly_extent",
    "anomaly_feature",
    "anomaly_page",
    "anomaly_query",
    "one_anomaly",
]

Box = tuple[float, float, float, float]
ANOMALY_ORDER = Keyset.of(thermal_anomalies.c.date, thermal_anomalies.c.id)  # by day, then id

ANOMALY_PROPERTIES: Properties = {
    "date": {"type": "string", "format": "date", "description": "UTC acquisition date"},
    "kind": {"type": "string", "enum": ["persistent_excess", "follow_on"]},
    "admin1": {"type": "string"},
    "detections": {"type": "integer", "description": "fire detections in the cell that day"},
    "expected": {"type": "number", "description": "detections the baseline expects there that day"},
    "p_value": {"type": "number", "description": "P(at least this many) under the baseline"},
    "basis": {"type": "string", "description": "why it counts, in words"},
    "lat": {"type": "number", "description": "the cell's centre"},
    "lon": {"type": "number", "description": "the cell's centre"},
    "grid_deg": {"type": "number"},
    "baseline_id": {"type": "string"},
    "detection_ids": {"type": "string", "description": "a '; '-joined list"},
    "caveat": {"type": "string"},
}


def anomaly_feature(body: dict) -> dict:
    """One stored anomaly as a GeoJSON feature: the cell it counts in, as a (one-part) multipolygon,
    the collection's one geometry type (GIS layers have one)."""
    west, south, east, north = body["cell"]["bounds"]
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    properties = {k: body.get(k) for k in ANOMALY_PROPERTIES if k != "grid_deg"}
    properties["grid_deg"] = body["cell"]["grid_deg"]
    return {
        "type": "Feature",
        "id": body["id"],
        "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
        "properties": properties,
    }


def _with_grid() -> Any:  # noqa: ANN401 — a SQL join
    """Anomalies beside the baseline they were judged against (whose grid gives the cell's size)."""
    return thermal_anomalies.join(sensor_baselines, sensor_baselines.c.id == thermal_anomalies.c.baseline_id)


def _half_cell() -> Any:  # noqa: ANN401 — a SQL expression
    return sensor_baselines.c.grid_deg / 2


def _cell_meets(box: Box) -> ColumnElement[bool]:
    """The anomaly's cell overlaps the box (west > east: the box crosses the antimeridian). Plain
    comparisons on both stores: the table has no PostGIS column, and holds few rows."""
    west, south, east, north = box
    lon, lat, half = thermal_anomalies.c.lon, thermal_anomalies.c.lat, _half_cell()
    if west <= east:
        in_lon = and_(lon + half >= west, lon - half <= east)
    else:
        in_lon = or_(lon + half >= west, lon - half <= east)
    return and_(in_lon, lat + half >= south, lat - half <= north)


def anomaly_query(box: Box | None, days: tuple[dt.date | None, dt.date | None]) -> Any:  # noqa: ANN401
    """The anomalies whose cell meets `box` and whose (UTC) day lies in `days` (paged by ANOMALY_ORDER)."""
    joined = _with_grid()
    query = select(thermal_anomalies.c.body).select_from(joined)
    if box is not None:
        query = query.where(_cell_meets(box))
    return days_within(query, thermal_anomalies.c.date, *days)


def anomaly_page(rows: list) -> list[dict]:
    return [anomaly_feature(json.loads(row.body)) for row in rows]


def one_anomaly(conn: Connection, feature_id: str) -> dict | None:
    body = conn.execute(select(thermal_anomalies.c.body).where(thermal_anomalies.c.id == feature_id)).scalar()
    return anomaly_feature(json.loads(body)) if body else None


def anomaly_extent(conn: Connection) -> tuple[tuple, dt.date | None, dt.date | None]:
    """((west, south, east, north) of every cell, or Nones), the first and the last day."""
    half = _half_cell()
    joined = _with_grid()
    row = conn.execute(
        select(
            func.min(thermal_anomalies.c.lon - half),
            func.min(thermal_anomalies.c.lat - half),
            func.max(thermal_anomalies.c.lon + half),
            func.max(thermal_anomalies.c.lat + half),
            func.min(thermal_anomalies.c.date),
            func.max(thermal_anomalies.c.date),
        ).select_from(joined)
    ).one()
    return tuple(row[:4]), row[4], row[5]
