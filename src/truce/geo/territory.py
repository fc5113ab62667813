"""Territorial change between two control snapshots, in km² per party per oblast.

Areas are computed in the Lambert azimuthal equal-area projection (truce.geo.projection.area_km2),
which is exact for area on the WGS84 ellipsoid. What one party gains inside Ukraine the other
loses, so the counterparty's figures mirror the party's (within Ukraine's outline).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely

from truce.geo.admin import lookup_oblast, oblasts, ukraine_outline
from truce.geo.control import ControlSnapshot
from truce.geo.projection import area_km2

__all__ = [
    "OblastChange",
    "PointChange",
    "TerritorialChange",
    "controller_at",
    "occupied_area_km2",
    "occupied_areas_km2",
    "points_changed_hands",
    "territorial_change",
]


@dataclass(frozen=True)
class OblastChange:
    """What `party` gained and lost in one oblast between two dates (km²)."""

    iso: str
    oblast: str
    party: str
    gained_km2: float
    lost_km2: float

    @property
    def net_km2(self) -> float:
        return self.gained_km2 - self.lost_km2


@dataclass(frozen=True)
class TerritorialChange:
    """Change of control between two snapshots of the same party's area."""

    before: dt.date
    after: dt.date
    party: str
    counterparty: str
    area_before_km2: float  # the party's whole area (incl. any part outside the admin outline)
    area_after_km2: float
    by_oblast: tuple[OblastChange, ...]  # rows for both parties, oblasts with any change
    gained: shapely.Geometry  # lon/lat area the party gained
    lost: shapely.Geometry  # lon/lat area the party lost

    def _rows(self, party: str, oblast_names: Iterable[str] | None) -> list[OblastChange]:
        if party not in (self.party, self.counterparty):
            raise ValueError(f"party {party!r} is neither {self.party!r} nor {self.counterparty!r}")
        wanted = None if oblast_names is None else {lookup_oblast(n).iso for n in oblast_names}
        return [r for r in self.by_oblast if r.party == party and (wanted is None or r.iso in wanted)]

    def gained_km2(self, party: str, oblast_names: Iterable[str] | None = None) -> float:
        """km² the party gained in the named oblasts (all of Ukraine if None)."""
        return sum(r.gained_km2 for r in self._rows(party, oblast_names))

    def lost_km2(self, party: str, oblast_names: Iterable[str] | None = None) -> float:
        return sum(r.lost_km2 for r in self._rows(party, oblast_names))

    def net_km2(self, party: str, oblast_names: Iterable[str] | None = None) -> float:
        return self.gained_km2(party, oblast_names) - self.lost_km2(party, oblast_names)

    def to_json(self) -> dict:
        """The figures as the CLI's --json and the API give them (km², rounded for people)."""
        return {
            "from": self.before.isoformat(),
            "to": self.after.isoformat(),
            "party": self.party,
            "area_before_km2": round(self.area_before_km2, 1),
            "area_after_km2": round(self.area_after_km2, 1),
            "by_oblast": [
                {
                    "oblast": r.oblast,
                    "iso": r.iso,
                    "party": r.party,
                    "gained_km2": round(r.gained_km2, 2),
                    "lost_km2": round(r.lost_km2, 2),
                    "net_km2": round(r.net_km2, 2),
                }
                for r in self.by_oblast
            ],
        }


def occupied_area_km2(snapshot: ControlSnapshot) -> float:
    """Area of the snapshot party's polygons in km² (e.g. the occupied area on that date)."""
    return area_km2(snapshot.geometry)


def occupied_areas_km2(snapshots: Iterable[ControlSnapshot]) -> dict[dt.date, float]:
    """The party's total area per date, oldest first."""
    return {s.date: occupied_area_km2(s) for s in sorted(snapshots, key=lambda s: s.date)}


def _per_oblast(geom: shapely.Geometry) -> dict[str, float]:
    areas: dict[str, float] = {}
    if geom.is_empty:
        return areas
    for unit in oblasts():
        if shapely.intersects(unit.geometry, geom):
            area = area_km2(shapely.intersection(unit.geometry, geom))
            if area > 0:
                areas[unit.iso] = area
    return areas


def territorial_change(before: ControlSnapshot, after: ControlSnapshot) -> TerritorialChange:
    """km² gained and lost per party per oblast between two snapshots of one party's area."""
    if before.party != after.party:
        raise ValueError(f"snapshots are of different parties: {before.party!r} and {after.party!r}")
    gained = shapely.difference(after.geometry, before.geometry)
    lost = shapely.difference(before.geometry, after.geometry)
    gained_by, lost_by = _per_oblast(gained), _per_oblast(lost)
    rows = []
    for unit in oblasts():
        g, lo = gained_by.get(unit.iso, 0.0), lost_by.get(unit.iso, 0.0)
        if g or lo:
            rows.append(OblastChange(unit.iso, unit.name_en, after.party, g, lo))
            rows.append(OblastChange(unit.iso, unit.name_en, after.counterparty, lo, g))
    return TerritorialChange(
        before=before.date,
        after=after.date,
        party=after.party,
        counterparty=after.counterparty,
        area_before_km2=occupied_area_km2(before),
        area_after_km2=occupied_area_km2(after),
        by_oblast=tuple(rows),
        gained=gained,
        lost=lost,
    )


def controller_at(
    snapshot: ControlSnapshot, lons: Iterable[float], lats: Iterable[float]
) -> list[str | None]:
    """Who controls each point: the snapshot's party, its counterparty (rest of Ukraine), or None."""
    lons_a, lats_a = np.asarray(list(lons), dtype=float), np.asarray(list(lats), dtype=float)
    held = shapely.intersects_xy(snapshot.geometry, lons_a, lats_a)
    in_ukraine = shapely.intersects_xy(ukraine_outline(), lons_a, lats_a)
    return [
        snapshot.party if h else (snapshot.counterparty if u else None)
        for h, u in zip(held, in_ukraine, strict=True)
    ]


@dataclass(frozen=True)
class PointChange:
    name: str
    lon: float
    lat: float
    before: str | None  # controlling party, None outside Ukraine and the snapshot
    after: str | None


def points_changed_hands(
    before: ControlSnapshot, after: ControlSnapshot, points: Iterable[tuple[str, float, float]]
) -> list[PointChange]:
    """The named points (name, lon, lat) whose controller differs between the two snapshots."""
    named = list(points)
    lons = [p[1] for p in named]
    lats = [p[2] for p in named]
    was, now = controller_at(before, lons, lats), controller_at(after, lons, lats)
    return [
        PointChange(n, lon, lat, b, a) for (n, lon, lat), b, a in zip(named, was, now, strict=True) if b != a
    ]
