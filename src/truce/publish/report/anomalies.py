"""The report's section on satellite thermal anomalies (truce.sensors): how many grid cells had an
improbable, recurring number of fire detections on the report's day, the day before and since the
ceasefire began, per oblast and per zone, each of the day's anomalies with its figures, and the
cells for the map.

Anomalies are public (they rest on NASA's public detections only), corroborating evidence and never
a violation on their own; they are dated by the satellites' UTC day. Under cloud nothing is seen, so
the section always carries the cloud caveat and a zero is never "calm"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import shapely
from sqlalchemy import Connection, func, select

from truce.geo import settlements
from truce.geo.admin import oblasts, oblasts_of
from truce.sensors.store import anomalies_between, baseline_rows
from truce.sensors.tables import sensor_observations

__all__ = ["AnomalyCell", "thermal_anomaly_figures", "year_spans"]

_LANGS = ("en", "uk", "ru")
_NAME_WITHIN_KM = 10.0  # a cell is named after a settlement this close to its centre


AnomalyCell = tuple[float, float, float, float, bool]  # west, south, east, north; on the report's day


def _counts(dates: list[dt.date], period: Any) -> dict:  # noqa: ANN401 — a report Period
    today = sum(1 for d in dates if d == period.day)
    previous = sum(1 for d in dates if d == period.previous)
    return {
        "today": today,
        "previous": previous,
        "change": today - previous,
        "since_start": sum(1 for d in dates if period.start <= d <= period.day),
    }


def _oblast_names(iso: str) -> dict[str, str] | None:
    unit = next((u for u in oblasts() if u.iso == iso), None)
    return {"en": unit.name_en, "uk": unit.name_uk, "ru": unit.name_ru} if unit else None


def _near(lon: float, lat: float) -> dict[str, str] | None:
    place = settlements.nearest(lon, lat, max_km=_NAME_WITHIN_KM)
    return {lang: place.label(lang) for lang in _LANGS} if place else None


def _detections(conn: Connection, period: Any) -> dict:  # noqa: ANN401 — a report Period
    """The detections held for the report's day and the day before (UTC days), and the instruments
    of those since the start: a zero beside zero anomalies says there was nothing to judge."""
    per_day = dict(
        conn.execute(
            select(sensor_observations.c.date, func.count())
            .where(sensor_observations.c.date.in_([period.day, period.previous]))
            .group_by(sensor_observations.c.date)
        ).all()
    )
    instruments = conn.execute(
        select(sensor_observations.c.instrument)
        .where(sensor_observations.c.date.between(min(period.start, period.previous), period.day))
        .distinct()
    ).scalars()
    return {
        "today": per_day.get(period.day, 0),
        "previous": per_day.get(period.previous, 0),
        "instruments": sorted(i for i in instruments if i != "unknown"),
    }


def _years(baselines: list[dict], used: set[str]) -> list[int]:
    """The normal years behind the anomalies shown (the newest baseline's if none is shown)."""
    chosen = [b for b in baselines if b["id"] in used] or baselines[-1:]
    return sorted({year for b in chosen for year in b["years"]})


def year_spans(years: list[int]) -> str:
    """[2012, 2013, 2016, 2017, 2018] as '2012–2013, 2016–2018'."""
    spans: list[list[int]] = []
    for year in years:
        if spans and year == spans[-1][1] + 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in spans)


def _cell(body: dict) -> shapely.Geometry:
    return shapely.box(*body["cell"]["bounds"])


def thermal_anomaly_figures(
    conn: Connection,
    period: Any,  # noqa: ANN401 — a report Period
    zones: list[dict],
) -> tuple[dict, list[AnomalyCell]]:
    """The section's figures (JSON) and the cells to draw: every anomaly since the day before the
    ceasefire began (or the day before the report, if earlier) up to the report's day."""
    baselines = baseline_rows(conn)
    available = bool(baselines)
    found = anomalies_between(conn, min(period.start, period.previous), period.day) if available else []
    dates = [dt.date.fromisoformat(a["date"]) for a in found]
    isos = oblasts_of([a["lon"] for a in found], [a["lat"] for a in found]) if found else []
    by_oblast = []
    for iso in [u.iso for u in oblasts() if u.iso in set(isos)] + (["outside"] if None in isos else []):
        chosen = [d for d, i in zip(dates, isos, strict=True) if (i or "outside") == iso]
        by_oblast.append({"key": iso, "names": _oblast_names(iso), **_counts(chosen, period)})
    cells = [_cell(a) for a in found]
    by_zone = []
    for zone in zones:
        prepared = zone["geometry"]
        shapely.prepare(prepared)
        chosen = [d for d, c in zip(dates, cells, strict=True) if prepared.intersects(c)]
        by_zone.append({"key": zone["id"], **_counts(chosen, period)})
    on_day = [(a, iso) for a, iso, d in zip(found, isos, dates, strict=True) if d == period.day]
    figures = {
        "available": available,
        **_counts(dates, period),
        "by_oblast": by_oblast,
        "by_zone": by_zone,
        "on_day": [
            {
                "id": a["id"],
                "date": a["date"],
                "lat": a["lat"],
                "lon": a["lon"],
                "area": iso or "outside",
                "area_names": _oblast_names(iso) if iso else None,
                "near": _near(a["lon"], a["lat"]),
                "kind": a["kind"],
                "detections": a["detections"],
                "expected": a["expected"],
                "p_value": a["p_value"],
            }
            for a, iso in on_day
        ],
        "baseline_ids": sorted({a["baseline_id"] for a in found}),
        "baseline_years": _years(baselines, {a["baseline_id"] for a in found}),
        "detections": _detections(conn, period) if available else None,
    }
    drawn = [
        (*a["cell"]["bounds"], d == period.day)
        for a, d in zip(found, dates, strict=True)
        if period.start <= d <= period.day
    ]
    return figures, drawn
