"""What zone building leaves out: specks, enclaves and slivers below a stated size.

A control map and an admin boundary drawn by different hands never agree to the metre. Where they
differ they leave pieces no one meant: a speck of one party's colour inside the other's area (the
map's, or a single mis-clicked polygon), the strip between two drawings of a coast or a border.
Drawn as they are, such pieces become parts of a zone ("inside the free economic zone") or, worse,
rings of "front line" around a speck deep behind the line. Zones are built from the map with every
piece smaller than `min_part_km2` (a parameter of the terms file) left out, and each piece left out
is listed with its size and place, so nobody is surprised by what is not in a zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import shapely

from truce.geo.control import ControlSnapshot
from truce.geo.projection import area_km2

__all__ = ["LeftOut", "snapshot_without_specks", "without_small_parts"]


@dataclass(frozen=True)
class LeftOut:
    """A piece left out of a zone: what it is, its area and a point inside it (lon/lat)."""

    kind: str  # "part" of the zone itself, or an "enclave"/"speck" of the control map
    km2: float
    lon: float
    lat: float
    party: str | None = None  # for a map piece: whose colour it had

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "km2": round(self.km2, 3),
            "lon": round(self.lon, 5),
            "lat": round(self.lat, 5),
            **({"party": self.party} if self.party else {}),
        }


def _left_out(kind: str, geom: shapely.Geometry, party: str | None = None) -> LeftOut:
    point = shapely.point_on_surface(geom)
    return LeftOut(kind, area_km2(geom), point.x, point.y, party)


def without_small_parts(geom: shapely.Geometry, min_km2: float) -> tuple[shapely.MultiPolygon, list[LeftOut]]:
    """The polygonal parts of `geom` of at least min_km2, as a valid MultiPolygon, and the parts
    left out. min_km2 = 0 keeps every part."""
    kept, dropped = [], []
    for part in shapely.get_parts(shapely.make_valid(geom)):
        for polygon in shapely.get_parts(part) if not isinstance(part, shapely.Polygon) else [part]:
            if not isinstance(polygon, shapely.Polygon) or polygon.is_empty:
                continue  # stray points and lines where edges touch
            if area_km2(polygon) >= min_km2:
                kept.append(polygon)
            else:
                dropped.append(_left_out("part", polygon))
    return shapely.MultiPolygon(kept), dropped


def _filled(polygon: shapely.Polygon, min_km2: float) -> tuple[shapely.Polygon, list[shapely.Polygon]]:
    """The polygon with its holes below min_km2 filled, and those holes."""
    holes = [shapely.Polygon(ring) for ring in polygon.interiors]
    small = [h for h in holes if area_km2(h) < min_km2]
    if not small:
        return polygon, []
    kept = [h.exterior.coords for h in holes if area_km2(h) >= min_km2]
    return shapely.Polygon(polygon.exterior.coords, kept), small


@lru_cache(maxsize=32)
def snapshot_without_specks(
    snapshot: ControlSnapshot, min_km2: float
) -> tuple[ControlSnapshot, tuple[LeftOut, ...]]:
    """The snapshot with its party's parts below min_km2 removed ("speck": the map shows the party
    there, the zones do not) and holes below min_km2 filled ("enclave": a speck of the other
    party inside the party's area, given to the surrounding party). Cached: zones ask often."""
    if min_km2 <= 0:
        return snapshot, ()
    kept, left_out = [], []
    for polygon in shapely.get_parts(snapshot.geometry):
        if area_km2(polygon) < min_km2:
            left_out.append(_left_out("speck", polygon, snapshot.party))
            continue
        filled, holes = _filled(polygon, min_km2)
        kept.append(filled)
        left_out += [_left_out("enclave", h, snapshot.counterparty) for h in holes]
    if not left_out:
        return snapshot, ()
    cleaned = ControlSnapshot.from_geometry(
        snapshot.date,
        shapely.MultiPolygon(kept),
        party=snapshot.party,
        counterparty=snapshot.counterparty,
        source=snapshot.source,
    )
    return cleaned, tuple(left_out)
