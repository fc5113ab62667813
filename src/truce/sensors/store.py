"""Sensors in the workspace: FIRMS files in (one transaction per file, idempotent), baselines
stored and versioned, anomalies computed over a date range and stored with what they rest on."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sqlalchemy import Connection, delete, func, insert, select

from truce.errors import UserError
from truce.geo.admin import oblasts, oblasts_of
from truce.sensors.anomalies import CLOUD_CAVEAT, Anomaly, AnomalyParams, Detections, find_anomalies
from truce.sensors.baseline import Baseline, BaselineParams
from truce.sensors.firms import read_firms
from truce.sensors.tables import (
    sensor_baseline_cells,
    sensor_baselines,
    sensor_observations,
    thermal_anomalies,
)
from truce.store.records import add_report, ensure_source, insert_many, now_utc, report_id_for
from truce.store.schema import reports
from truce.store.workspace import Workspace

__all__ = [
    "FIRMS_SOURCE",
    "SensorIngest",
    "anomalies_between",
    "compute_anomalies",
    "ingest_firms",
    "latest_baseline",
    "load_detections",
    "save_baseline",
]

FIRMS_SOURCE = "nasa-firms"
_CHUNK = 900


@dataclass(frozen=True)
class SensorIngest:
    report_id: str
    new: bool
    detections: int  # rows in the file
    stored: int  # observations not already in the store (from another file)


def ingest_firms(
    workspace: Workspace,
    path: str | os.PathLike,
    source_id: str | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> SensorIngest:
    """Store a FIRMS file as a report and its rows as sensor observations, all or nothing."""
    name = str(path)
    try:
        content = Path(path).read_bytes()
    except OSError as exc:
        raise UserError(name, None, f"cannot read the file: {exc.strerror}") from None
    report_id = report_id_for(hashlib.sha256(content).hexdigest())
    with workspace.engine.connect() as conn:
        if conn.execute(select(reports.c.id).where(reports.c.id == report_id)).first():
            count = conn.execute(
                select(func.count())
                .select_from(sensor_observations)
                .where(sensor_observations.c.report_id == report_id)
            ).scalar_one()
            return SensorIngest(report_id, False, count, 0)
    found = read_firms(
        content, path=name, progress=(lambda d, t: progress("reading", d, t)) if progress else None
    )
    rows = {d.id: d for d in found}  # a file may repeat a row: one observation
    with workspace.engine.begin() as conn:
        ensure_source(conn, source_id or FIRMS_SOURCE, "NASA FIRMS (LANCE NRT / archive)", kind="sensor")
        report_id, new = add_report(conn, content, "firms", Path(path).name, source_id or FIRMS_SOURCE)
        if not new:
            return SensorIngest(report_id, False, len(found), 0)
        ids = list(rows)
        known: set[str] = set()
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            query = select(sensor_observations.c.id).where(sensor_observations.c.id.in_(chunk))
            known.update(conn.execute(query).scalars())
        fresh = [
            {
                "id": d.id,
                "report_id": report_id,
                "sensor": "firms",
                "instrument": d.instrument,
                "satellite": d.satellite,
                "date": d.date,
                "time": d.time,
                "lat": d.lat,
                "lon": d.lon,
                "confidence": d.confidence,
                "frp": d.frp,
                "scan_km": d.scan_km,
                "track_km": d.track_km,
                "daynight": d.daynight,
            }
            for d in rows.values()
            if d.id not in known
        ]
        insert_many(conn, sensor_observations, fresh)
        if progress:
            progress("storing", len(fresh), len(fresh))
    return SensorIngest(report_id, True, len(found), len(fresh))


# --- baselines ------------------------------------------------------------------------------------


def save_baseline(conn: Connection, baseline: Baseline) -> tuple[str, int, bool]:
    """Store a baseline under the next version; the same baseline again is a no-op.
    Returns (id, version, new)."""
    digest = baseline.digest
    baseline_id = f"bl-{digest[:16]}"
    row = conn.execute(select(sensor_baselines.c.version).where(sensor_baselines.c.id == baseline_id)).first()
    if row is not None:
        return baseline_id, row.version, False
    version = (conn.execute(select(func.max(sensor_baselines.c.version))).scalar() or 0) + 1
    conn.execute(
        insert(sensor_baselines).values(
            id=baseline_id,
            version=version,
            created_at=now_utc(),
            grid_deg=baseline.params.grid_deg,
            years=json.dumps(baseline.years),
            params=json.dumps(baseline.params.to_json(), sort_keys=True),
            sources=json.dumps(baseline.sources, sort_keys=True),
            dispersion=json.dumps([round(float(k), 6) for k in baseline.dispersion]),
            floor=json.dumps([float(f) for f in baseline.floor]),
            cells=len(baseline.mean),
            digest=digest,
        )
    )
    insert_many(
        conn,
        sensor_baseline_cells,
        [
            {
                "baseline_id": baseline_id,
                "cell_i": int(i),
                "cell_j": int(j),
                "window": int(w),
                "mean": float(m),
            }
            for i, j, w, m in zip(baseline.i, baseline.j, baseline.window, baseline.mean, strict=True)
        ],
    )
    return baseline_id, version, True


def latest_baseline(conn: Connection, baseline_id: str | None = None) -> tuple[str, Baseline]:
    query = select(sensor_baselines).order_by(sensor_baselines.c.version.desc()).limit(1)
    if baseline_id:
        query = select(sensor_baselines).where(sensor_baselines.c.id == baseline_id)
    row = conn.execute(query).first()
    if row is None:
        what = f"no baseline {baseline_id!r}" if baseline_id else "no baseline yet"
        raise UserError(None, None, f"{what}; run `truce sensors baseline --history FILES` first")
    cells = conn.execute(
        select(
            sensor_baseline_cells.c.cell_i,
            sensor_baseline_cells.c.cell_j,
            sensor_baseline_cells.c.window,
            sensor_baseline_cells.c.mean,
        ).where(sensor_baseline_cells.c.baseline_id == row.id)
    ).all()
    table = np.array(cells, dtype=float).reshape(-1, 4)
    baseline = Baseline(
        BaselineParams(**json.loads(row.params)),
        json.loads(row.years),
        np.array(json.loads(row.dispersion)),
        np.array(json.loads(row.floor)),
        table[:, 0].astype(np.int64),
        table[:, 1].astype(np.int64),
        table[:, 2].astype(np.int64),
        table[:, 3],
        sources=json.loads(row.sources),
    )
    return row.id, baseline


def baseline_rows(conn: Connection) -> list[dict]:
    query = select(sensor_baselines).order_by(sensor_baselines.c.version)
    return [_baseline_json(row._mapping) for row in conn.execute(query)]


def _baseline_json(row) -> dict:  # noqa: ANN001
    return {
        "id": row["id"],
        "version": row["version"],
        "created_at": row["created_at"],
        "grid_deg": row["grid_deg"],
        "years": json.loads(row["years"]),
        "params": json.loads(row["params"]),
        "sources": json.loads(row["sources"]),
        "cells": row["cells"],
        "digest": row["digest"],
    }


# --- anomalies ------------------------------------------------------------------------------------


def load_detections(conn: Connection, start: dt.date, end: dt.date) -> Detections:
    query = select(
        sensor_observations.c.id,
        sensor_observations.c.lat,
        sensor_observations.c.lon,
        sensor_observations.c.date,
    ).where(sensor_observations.c.date.between(start, end))
    rows = conn.execute(query).all()
    return Detections(
        np.array([r.id for r in rows], dtype=object),
        np.array([r.lat for r in rows], dtype=float),
        np.array([r.lon for r in rows], dtype=float),
        np.array([r.date.toordinal() for r in rows], dtype=np.int64),
    )


def anomaly_json(anomaly: Anomaly, baseline_id: str, admin1: str | None) -> dict:
    return {
        "id": anomaly.id,
        "date": anomaly.date.isoformat(),
        "kind": anomaly.kind,
        "lat": anomaly.lat,
        "lon": anomaly.lon,
        "cell": {"bounds": list(anomaly.bounds()), "grid_deg": anomaly.grid_deg},
        "admin1": admin1,
        "detections": anomaly.count,
        "expected": round(anomaly.expected, 6),
        "p_value": float(f"{anomaly.p_value:.4g}"),
        "basis": anomaly.basis,
        "detection_ids": anomaly.detection_ids,
        "baseline_id": baseline_id,
        "caveat": CLOUD_CAVEAT,
    }


def compute_anomalies(
    workspace: Workspace,
    start: dt.date,
    end: dt.date,
    params: AnomalyParams,
    baseline_id: str | None = None,
) -> list[dict]:
    """Find the anomalies dated start..end and replace the stored ones in that range. Persistence
    looks up to max_days_apart days beyond either end, in whatever the store holds."""
    if end < start:
        raise UserError(None, None, f"--to {end} is before --from {start}")
    reach = dt.timedelta(days=params.max_days_apart)
    with workspace.engine.begin() as conn:
        used_id, baseline = latest_baseline(conn, baseline_id)
        found = load_detections(conn, start - reach, end + reach)
        anomalies = find_anomalies(found, baseline, params, start, end)
        isos = oblasts_of([a.lon for a in anomalies], [a.lat for a in anomalies]) if anomalies else []
        by_iso = {o.iso: o.name_en for o in oblasts()}
        bodies = [anomaly_json(a, used_id, by_iso.get(iso)) for a, iso in zip(anomalies, isos, strict=True)]
        conn.execute(delete(thermal_anomalies).where(thermal_anomalies.c.date.between(start, end)))
        when = now_utc()
        insert_many(
            conn,
            thermal_anomalies,
            [
                {
                    "id": b["id"],
                    "date": dt.date.fromisoformat(b["date"]),
                    "lat": b["lat"],
                    "lon": b["lon"],
                    "admin1": b["admin1"],
                    "kind": b["kind"],
                    "count": b["detections"],
                    "expected": b["expected"],
                    "p_value": b["p_value"],
                    "baseline_id": used_id,
                    "computed_at": when,
                    "body": json.dumps(b, sort_keys=True),
                }
                for b in bodies
            ],
        )
    return bodies


def anomalies_between(
    conn: Connection, start: dt.date | None = None, end: dt.date | None = None
) -> list[dict]:
    query = select(thermal_anomalies.c.body).order_by(thermal_anomalies.c.date, thermal_anomalies.c.id)
    if start is not None:
        query = query.where(thermal_anomalies.c.date >= start)
    if end is not None:
        query = query.where(thermal_anomalies.c.date <= end)
    return [json.loads(body) for (body,) in conn.execute(query)]


def anomaly_ids(bodies: Iterable[dict]) -> list[str]:
    return [b["id"] for b in bodies]
