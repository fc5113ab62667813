"""The contact line on a date, derived from a control snapshot.

The line is the part of the boundary of the party's area that faces the other party's area:

1. held = Ukraine's outline minus the party's area, in the metric projection;
2. of held's connected pieces keep the largest (the counterparty's main territory) and any
   enclave that does not touch the outline's boundary. Other pieces touch the sea or the state
   border and are cut off from the main territory: they are lagoons and spits where the snapshot's
   coast and the admin coast differ (Molochnyi lyman, Yahorlyk bay), not land the counterparty holds;
3. line = the party's boundary where it touches held, minus a band of `tolerance_m` either side
   of the outline's boundary (state border and sea coast), so that differences between the
   snapshot's and the admin data's border drawing do not leave slivers of "front" along the border.

Rivers, reservoirs and estuaries inside the outline (the Dnipro, the Dnipro-Buh estuary) are part
of Ukraine, so a front across them (Kherson, Kinburn) is part of the line.
"""

from __future__ import annotations

from functools import lru_cache

import shapely
from pyproj import Geod

from truce.geo.admin import ukraine_outline
from truce.geo.control import ControlSnapshot
from truce.geo.projection import to_lonlat, to_metric

__all__ = ["DEFAULT_TOLERANCE_M", "contact_line", "contact_line_metric", "line_length_km"]

DEFAULT_TOLERANCE_M = 2000.0
_GEOD = Geod(ellps="WGS84")


@lru_cache(maxsize=1)
def _outline_metric() -> shapely.Geometry:
    return to_metric(ukraine_outline())


@lru_cache(maxsize=8)
def _border_band(tolerance_m: float) -> shapely.Geometry:
    band = shapely.buffer(_outline_metric().boundary, tolerance_m)
    shapely.prepare(band)
    return band


def _held_by_counterparty(area_m: shapely.Geometry) -> shapely.Geometry:
    pieces = sorted(shapely.get_parts(shapely.difference(_outline_metric(), area_m)), key=lambda p: -p.area)
    if not pieces:
        return shapely.Polygon()
    edge = _border_band(1.0)
    kept = [pieces[0]] + [p for p in pieces[1:] if not edge.intersects(p)]
    return shapely.union_all(kept)


@lru_cache(maxsize=64)
def contact_line_metric(
    snapshot: ControlSnapshot, tolerance_m: float = DEFAULT_TOLERANCE_M
) -> shapely.MultiLineString:
    """The contact line in the metric projection (metres); see contact_line."""
    area_m = to_metric(snapshot.geometry)
    held = _held_by_counterparty(area_m)
    facing = shapely.intersection(area_m.boundary, shapely.buffer(held, 1.0))
    line = shapely.line_merge(shapely.difference(facing, _border_band(tolerance_m)))
    parts = [p for p in shapely.get_parts(line) if isinstance(p, shapely.LineString) and p.length > 0]
    result = shapely.MultiLineString(parts)
    shapely.prepare(result)
    return result


@lru_cache(maxsize=64)
def contact_line(
    snapshot: ControlSnapshot, tolerance_m: float = DEFAULT_TOLERANCE_M
) -> shapely.MultiLineString:
    """The contact line on the snapshot's date, lon/lat MultiLineString.

    The boundary of the party's area minus the state border and coast (Ukraine's outline boundary
    buffered by tolerance_m metres) and minus shores of lagoons the counterparty does not hold.
    """
    return to_lonlat(contact_line_metric(snapshot, tolerance_m))


def line_length_km(line: shapely.Geometry) -> float:
    """Geodesic (WGS84) length of a lon/lat line in km."""
    return _GEOD.geometry_length(line) / 1000.0
