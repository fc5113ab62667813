"""Spatial conditions that run where they are fastest: on PostgreSQL as PostGIS operators on the
geometry columns (GiST-indexed, see migration 0008), elsewhere as plain comparisons on lon/lat.
Both select exactly the same rows: a point on the box's edge is in it."""

from __future__ import annotations

from typing import Any

import shapely
from sqlalchemy import Boolean, Connection, and_, or_, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement

__all__ = ["incident_ids_in_area", "point_in_box"]

Box = tuple[float, float, float, float]


class _PointInBox(ColumnElement[bool]):
    """(lon, lat) lies in west, south, east, north; a box crossing the antimeridian has west > east."""

    type = Boolean()
    inherit_cache = False  # the box is written into the SQL, so each statement is compiled anew

    def __init__(self, lon: Any, lat: Any, box: Box) -> None:  # noqa: ANN401 — SQL columns
        self.lon, self.lat = lon, lat
        self.box = tuple(float(v) for v in box)  # numbers only: they are written into the SQL


def point_in_box(lon: Any, lat: Any, box: Box) -> ColumnElement[bool]:  # noqa: ANN401 — SQL columns
    return _PointInBox(lon, lat, box)


def _lon_lat_condition(element: _PointInBox) -> ColumnElement[bool]:
    west, south, east, north = element.box
    lon, lat = element.lon, element.lat
    in_lon = lon.between(west, east) if west <= east else or_(lon >= west, lon <= east)
    return and_(in_lon, lat.between(south, north))


@compiles(_PointInBox)
def _compile_portable(element: _PointInBox, compiler: Any, **kw: Any) -> str:  # noqa: ANN401
    return compiler.process(_lon_lat_condition(element), **kw)


@compiles(_PointInBox, "postgresql")
def _compile_postgis(element: _PointInBox, compiler: Any, **kw: Any) -> str:  # noqa: ANN401
    # The geometry column beside lon, in the same table (or alias) of the FROM clause.
    geom = compiler.process(element.lon, **kw).rsplit(".", 1)[0] + ".geom"
    west, south, east, north = element.box
    boxes = (
        [(west, south, east, north)]
        if west <= east
        else [(west, south, 180.0, north), (-180.0, south, east, north)]
    )
    tests = [f"{geom} && ST_MakeEnvelope({w!r}, {s!r}, {e!r}, {n!r}, 4326)" for w, s, e, n in boxes]
    return "(" + " OR ".join(tests) + ")"


# ST_Contains, like shapely's contains_xy, leaves out a point on the area's edge; `&&` lets the
# planner use the GiST index on incidents.geom (generated from lon/lat: the same doubles).
_IDS_IN_AREA = text(
    "WITH area AS (SELECT ST_GeomFromWKB(:wkb, 4326) AS g) "
    "SELECT i.id FROM incidents i, area WHERE i.geom && area.g AND ST_Contains(area.g, i.geom)"
)


def incident_ids_in_area(conn: Connection, area: shapely.Geometry) -> list[str]:
    """The stored incidents strictly inside `area` (lon/lat), found by PostGIS (PostgreSQL only)."""
    wkb = shapely.to_wkb(area, include_srid=False)
    return list(conn.execute(_IDS_IN_AREA, {"wkb": wkb}).scalars())
