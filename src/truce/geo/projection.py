"""One metric projection for Ukraine, and one equal-area projection for areas.

Geometries are stored and exchanged in WGS84 lon/lat. Distances and buffers are computed in an
azimuthal-equidistant projection centred on Ukraine (48.5 N, 31.5 E): over Ukraine's extent
(22-40.5 E, 44-52.5 N) a planar distance there is within 0.5 % of the geodesic distance (the
measured worst case is in docs/geography.md and tests/geo/test_projection.py). Areas are
computed in a Lambert azimuthal equal-area projection with the same centre, which is exact for
area on the ellipsoid.
"""

from __future__ import annotations

from functools import cache
from typing import TypeVar

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer

__all__ = [
    "CENTRE_LAT",
    "CENTRE_LON",
    "EQUAL_AREA_CRS",
    "METRIC_CRS",
    "area_km2",
    "to_equal_area",
    "to_lonlat",
    "to_lonlat_xy",
    "to_metric",
    "to_metric_xy",
]

CENTRE_LAT = 48.5
CENTRE_LON = 31.5

METRIC_CRS = CRS.from_proj4(
    f"+proj=aeqd +lat_0={CENTRE_LAT} +lon_0={CENTRE_LON} +datum=WGS84 +units=m +no_defs"
)
EQUAL_AREA_CRS = CRS.from_proj4(
    f"+proj=laea +lat_0={CENTRE_LAT} +lon_0={CENTRE_LON} +datum=WGS84 +units=m +no_defs"
)
_LONLAT = CRS.from_epsg(4326)

G = TypeVar("G", bound=shapely.Geometry)


_CRS = {"lonlat": _LONLAT, "metric": METRIC_CRS, "equal_area": EQUAL_AREA_CRS}


@cache
def _transformer(source: str, target: str) -> Transformer:
    # Building a Transformer costs milliseconds; reuse it (keyed by name: hashing a CRS is slow).
    # always_xy: coordinates are lon, lat (x, y) whatever the CRS's axis order says.
    return Transformer.from_crs(_CRS[source], _CRS[target], always_xy=True)


def _forward() -> Transformer:
    return _transformer("lonlat", "metric")


def _inverse() -> Transformer:
    return _transformer("metric", "lonlat")


def _apply(transformer: Transformer, geom: G) -> G:
    def move(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack((x, y))

    return shapely.transform(geom, move)


def to_metric(geom: G) -> G:
    """Lon/lat geometry -> the same geometry in metres in the Ukraine projection."""
    return _apply(_forward(), geom)


def to_lonlat(geom: G) -> G:
    """Metric geometry (Ukraine projection) -> lon/lat."""
    return _apply(_inverse(), geom)


def to_equal_area(geom: G) -> G:
    """Lon/lat geometry -> the equal-area projection (metres); use it for areas only."""
    return _apply(_transformer("lonlat", "equal_area"), geom)


def to_metric_xy(lons: ArrayLike, lats: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Arrays of lon, lat -> arrays of x, y in metres."""
    x, y = _forward().transform(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def to_lonlat_xy(xs: ArrayLike, ys: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Arrays of x, y in metres -> arrays of lon, lat."""
    lon, lat = _inverse().transform(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float))
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def area_km2(geom: shapely.Geometry) -> float:
    """Area of a lon/lat geometry in km², computed in the equal-area projection."""
    return float(shapely.area(to_equal_area(geom))) / 1e6
