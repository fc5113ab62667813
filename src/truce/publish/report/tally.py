"""The days before the report's two, tallied from columns: per day, how many incidents (and how many
explosions or rounds they count) fall in each area, party, type, category and set of zones.

The report reads its own day and the day before in full; the earlier days only matter as counts. So
here the store gives, one day at a time (ix_incidents_date), only the columns the counts need (a
point, the reported region, the actor, the type and, for the kinds measured in explosions or rounds,
the two counts read out of the stored JSON by the database itself), and the points are placed in
oblasts and zones through a grid (truce.geo.cells) instead of one exact test each. No incident
becomes a Python object: memory grows with the kinds of rows, not with the incidents.

The tallies are exactly the figures a pass over every incident in Python gives
(tests/publish/report/test_tally.py compares the two)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import cache, lru_cache

import numpy as np
from sqlalchemy import ColumnElement, Connection, case, cast, func, select
from sqlalchemy.dialects.postgresql import JSONB

from truce.geo.admin import oblasts, oblasts_of
from truce.geo.cells import CellIndex, inside_area
from truce.model import IncidentType
from truce.publish.report import observations
from truce.store.schema import incidents
from truce.verify.categories import category_of

__all__ = ["MAX_EARLIER_POINTS", "UNATTRIBUTED", "incident_category", "tallied_rows"]

MAX_EARLIER_POINTS = 20_000  # incidents of earlier days drawn on the map (the first, by day and id)
UNATTRIBUTED = "unattributed"
_CHUNK = 100_000  # rows of one day fetched at a time
_INTERFERENCE = sorted(t.value for t in IncidentType if category_of(t) == "interference")
_MEASURED = sorted(observations.MEASURED_TYPES)


def tallied_rows(
    conn: Connection, start: dt.date, end: dt.date, zones: list[dict], hidden: ColumnElement | None
) -> tuple[list[dict], list[tuple]]:
    """The incidents from start to end (Kyiv days, both included; `hidden` excludes protected
    allegations) as weighted rows: one per day, area, party, type, category and set of zones, with
    `n` incidents and `q` their summed quantity (observations.quantity); and the first
    MAX_EARLIER_POINTS points (lon, lat, type) for the map, by day and id."""
    tally: dict[tuple, list[int]] = {}
    points: list[tuple] = []
    day = start
    while day <= end:
        for chunk in _day_columns(conn, day, hidden):
            _count(tally, day, chunk, zones)
        if len(points) < MAX_EARLIER_POINTS:
            points += _day_points(conn, day, hidden, MAX_EARLIER_POINTS - len(points))
        day += dt.timedelta(days=1)
    weighted = [
        {
            "date": d,
            "area": area,
            "party": party,
            "type": kind,
            "category": category,
            "zones": set(zone_ids),
            "n": n,
            "q": q,
            "lon": None,
            "lat": None,
        }
        for (d, area, party, kind, category, zone_ids), (n, q) in tally.items()
    ]
    return weighted, points


def _count_field(conn: Connection, key: str) -> ColumnElement:
    """counts.<key> of a measured incident's stored JSON, read by the database (NULL for others)."""
    if conn.dialect.name == "postgresql":
        value = func.jsonb_extract_path(cast(incidents.c.body, JSONB), "counts", key)
    else:
        value = func.json_extract(incidents.c.body, f"$.counts.{key}")
    return case((incidents.c.type.in_(_MEASURED), value), else_=None)


def _day_columns(conn: Connection, day: dt.date, hidden: ColumnElement | None) -> Iterator[list]:
    c = incidents.c
    counts = _count_field(conn, "quantity"), _count_field(conn, "hit")
    query = select(c.lon, c.lat, c.admin1, c.country, c.actor, c.type, *counts).where(c.date == day)
    if hidden is not None:
        query = query.where(hidden)
    yield from conn.execution_options(yield_per=_CHUNK).execute(query).partitions()


def _day_points(conn: Connection, day: dt.date, hidden: ColumnElement | None, limit: int) -> list[tuple]:
    c = incidents.c
    query = (
        select(c.lon, c.lat, c.type)
        .where(c.date == day, c.lon.is_not(None), c.lat.is_not(None), c.type.not_in(_INTERFERENCE))
        .order_by(c.id)
        .limit(limit)
    )
    if hidden is not None:
        query = query.where(hidden)
    return [tuple(r) for r in conn.execute(query)]


def _count(tally: dict[tuple, list[int]], day: dt.date, chunk: list, zones: list[dict]) -> None:
    lons_in, lats_in, admin1s, countries, actors, kinds, quantities, hits = zip(*chunk, strict=True)
    lons, lats = np.array(lons_in, dtype=float), np.array(lats_in, dtype=float)
    located = ~(np.isnan(lons) | np.isnan(lats))
    areas = _areas(lons, lats, located, admin1s, countries)
    measured = located & np.isin(np.array(kinds, dtype=object), _MEASURED)
    inside = _zones_of(lons, lats, measured, zones)
    for at, kind in enumerate(kinds):
        quantity, hit = quantities[at], hits[at]
        q = int(quantity) if quantity is not None else int(hit) if hit is not None else 1
        key = (day, areas[at], actors[at] or UNATTRIBUTED, kind, incident_category(kind), inside.get(at, ()))
        counted = tally.get(key)
        if counted is None:
            tally[key] = [1, q]
        else:
            counted[0] += 1
            counted[1] += q


def _areas(
    lons: np.ndarray, lats: np.ndarray, located: np.ndarray, admin1s: tuple, countries: tuple
) -> list[str]:
    """figures.incident_area of every row: the oblast at the point (through the grid), else by the
    reported region and country."""
    at_point = np.full(len(lons), None, dtype=object)
    if located.any():
        at_point[located] = _oblast_cells()(lons[located], lats[located])
    areas = []
    for at, iso in enumerate(at_point):
        if iso:
            areas.append(iso)
        elif located[at]:
            country = countries[at]
            areas.append(f"country:{country}" if country and country != "UA" else "unlocated")
        else:
            areas.append(_area_by_name(admin1s[at], countries[at]))
    return areas


@lru_cache(maxsize=4096)
def _area_by_name(admin1: str | None, country: str | None) -> str:
    from truce.publish.report.figures import incident_area  # figures imports this module

    return incident_area(None, None, admin1, country)


def _zones_of(
    lons: np.ndarray, lats: np.ndarray, measured: np.ndarray, zones: list[dict]
) -> dict[int, tuple]:
    """observations.zones_of of the measured located rows (by row position), through each zone's grid."""
    found: dict[int, list[str]] = {}
    rows = np.flatnonzero(measured)
    if not len(rows):
        return {}
    for zone in zones:
        for at in rows[inside_area(zone["geometry"], lons[rows], lats[rows])]:
            found.setdefault(int(at), []).append(zone["id"])
    return {k: tuple(v) for k, v in found.items()}


@cache
def _oblast_cells() -> CellIndex:
    return CellIndex([u.geometry for u in oblasts()], oblasts_of)


@cache
def incident_category(kind: str) -> str:
    try:
        return category_of(IncidentType(kind))
    except ValueError:
        return "other"
