"""Zone geometries and fast point-in-zone tests, independent of any agreement file format.

Builders return lon/lat geometries; distances are applied in the metric projection
(truce.geo.projection). Zone edges are accurate to ZONE_TOLERANCE_M metres: buffer arcs are drawn
with enough segments that a chord strays at most that far inside the true circle, and the buffer
is then simplified (Douglas-Peucker) with the same tolerance. Edges that follow a controlled area
or an oblast are those inputs' own edges, never simplified, so a zone on one party's side does not
overlap the other party's area.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import Geod

from truce.geo.admin import oblasts_geometry
from truce.geo.projection import area_km2, to_lonlat, to_metric, to_metric_xy

__all__ = [
    "ZONE_TOLERANCE_M",
    "Zone",
    "circle",
    "controlled_part",
    "distance_to_line_km",
    "one_sided_buffer",
    "points_in_zones",
    "uncontrolled_part",
]

ZONE_TOLERANCE_M = 10.0
# GeoJSON edges are straight in lon/lat, not in the projection: a 2° meridian segment bows 30 m
# away from its projected chord. Lines are densified to 0.01° (~1 km; bow < 1 mm) before projecting.
_DENSIFY_DEG = 0.01
_GEOD = Geod(ellps="WGS84")


def _line_to_metric(line: shapely.Geometry) -> shapely.Geometry:
    return to_metric(shapely.segmentize(line, _DENSIFY_DEG))


@dataclass(frozen=True, eq=False)
class Zone:
    """A named area whose rules restrict `party`'s forces (None: everyone's).

    `prepared` is the geometry with a GEOS prepared index attached (shapely.prepare), and
    `bounds` its (min lon, min lat, max lon, max lat): together they make point tests fast.
    """

    id: str
    name: str
    geometry: shapely.Geometry = field(repr=False)
    party: str | None = None
    # Pieces below the terms' min_part_km2 left out of the zone (truce.geo.slivers.LeftOut).
    left_out: tuple[Any, ...] = field(default=(), repr=False)
    prepared: shapely.Geometry = field(init=False, repr=False)
    bounds: tuple[float, float, float, float] = field(init=False)

    def __post_init__(self) -> None:
        prepared = self.geometry
        shapely.prepare(prepared)  # in place: the same immutable geometry, plus an index
        object.__setattr__(self, "prepared", prepared)
        object.__setattr__(self, "bounds", tuple(float(b) for b in prepared.bounds))

    @property
    def area_km2(self) -> float:
        return area_km2(self.geometry)

    def metadata(self) -> dict[str, Any]:
        """What a map layer says about the zone: its side, area, parts and what was left out."""
        return {
            "party": self.party,
            "area_km2": round(self.area_km2, 1),
            "parts": len(shapely.get_parts(self.geometry)),
            "left_out": [piece.to_json() for piece in self.left_out],
        }


def _clip_geometry(clip: shapely.Geometry | str | Iterable[str] | None) -> shapely.Geometry | None:
    if clip is None or isinstance(clip, shapely.Geometry):
        return clip
    names = [clip] if isinstance(clip, str) else list(clip)
    return oblasts_geometry(names) if names else None  # no oblasts named: no clipping


def _quad_segs(distance_m: float) -> int:
    # Segments per quarter circle so that a chord is at most ZONE_TOLERANCE_M inside the arc.
    if distance_m <= ZONE_TOLERANCE_M:
        return 8
    step = math.acos(1.0 - ZONE_TOLERANCE_M / distance_m)
    return max(8, math.ceil(math.pi / 2 / (2 * step)))


def one_sided_buffer(
    line: shapely.Geometry,
    side_area: shapely.Geometry,
    distance_km: float,
    clip: shapely.Geometry | str | Iterable[str] | None = None,
) -> shapely.Geometry:
    """The part of `side_area` within distance_km of `line` (all lon/lat), optionally clipped.

    side_area is the area of the party whose side the zone is on (e.g. controlled_area(snapshot,
    "UA")); clip is a geometry, an oblast name or a list of oblast names.
    """
    if distance_km <= 0:
        raise ValueError(f"distance_km must be positive, not {distance_km}")
    return _one_sided_buffer(line, side_area, float(distance_km), _clip_geometry(clip))


@lru_cache(maxsize=128)
def _one_sided_buffer(
    line: shapely.Geometry, side_area: shapely.Geometry, distance_km: float, clip: shapely.Geometry | None
) -> shapely.Geometry:
    distance_m = distance_km * 1000.0
    line_m = _line_to_metric(line)
    if clip is not None:
        # Only the stretch of line within reach of the clip area matters: cut it out cheaply.
        minx, miny, maxx, maxy = to_metric(shapely.box(*clip.bounds)).bounds
        line_m = shapely.clip_by_rect(
            line_m, minx - distance_m, miny - distance_m, maxx + distance_m, maxy + distance_m
        )
    band_m = shapely.buffer(line_m, distance_m, quad_segs=_quad_segs(distance_m))
    band = to_lonlat(shapely.simplify(band_m, ZONE_TOLERANCE_M, preserve_topology=True))
    # Intersect in lon/lat so that edges along side_area and clip are exactly theirs.
    zone = shapely.intersection(band, side_area)
    if clip is not None:
        zone = shapely.intersection(zone, clip)
    return _polygonal(zone)


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    # Intersections can leave stray points or lines where edges touch: keep only the area.
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, shapely.Polygon) and not p.is_empty]
    nested = [q for p in shapely.get_parts(geom) if isinstance(p, shapely.MultiPolygon) for q in p.geoms]
    polygons = parts + nested
    if len(polygons) == 1:
        return polygons[0]
    return shapely.MultiPolygon(polygons)


def circle(lon: float, lat: float, radius_km: float, segments: int = 256) -> shapely.Polygon:
    """A geodesic circle (WGS84) around a point, as a lon/lat polygon.

    Vertices are exactly radius_km away on the ellipsoid; with 256 of them a chord is at most
    radius × (1 − cos(π/256)) inside (2 m at 30 km).
    """
    if radius_km <= 0:
        raise ValueError(f"radius_km must be positive, not {radius_km}")
    azimuths = np.linspace(0.0, 360.0, segments, endpoint=False)
    lons, lats, _ = _GEOD.fwd(
        np.full(segments, lon), np.full(segments, lat), azimuths, np.full(segments, radius_km * 1000.0)
    )
    return shapely.Polygon(np.column_stack((lons, lats))[::-1])  # counter-clockwise


def controlled_part(oblast_names: Iterable[str] | str, controlled_area: shapely.Geometry) -> shapely.Geometry:
    """The named oblasts ∩ the area a party controls (lon/lat)."""
    names = [oblast_names] if isinstance(oblast_names, str) else list(oblast_names)
    return _polygonal(shapely.intersection(oblasts_geometry(names), controlled_area))


def uncontrolled_part(
    oblast_names: Iterable[str] | str, controlled_area: shapely.Geometry
) -> shapely.Geometry:
    """The named oblasts minus the area a party controls (lon/lat)."""
    names = [oblast_names] if isinstance(oblast_names, str) else list(oblast_names)
    return _polygonal(shapely.difference(oblasts_geometry(names), controlled_area))


def points_in_zones(
    zones: Sequence[Zone], lons: ArrayLike, lats: ArrayLike
) -> Mapping[str, NDArray[np.bool_]]:
    """For each zone id, a boolean mask of which points (lon/lat arrays) lie inside the zone.

    Points outside a zone's bounding box are rejected with four array comparisons; only the rest
    go to shapely.contains_xy on the prepared geometry. Points on an edge count as outside.
    """
    lons = np.asarray(lons, dtype=float)
    lats = np.asarray(lats, dtype=float)
    masks: dict[str, NDArray[np.bool_]] = {}
    for zone in zones:
        minx, miny, maxx, maxy = zone.bounds
        inside_box = (lons >= minx) & (lons <= maxx) & (lats >= miny) & (lats <= maxy)
        candidates = np.flatnonzero(inside_box)
        mask = np.zeros(lons.shape, dtype=bool)
        if candidates.size:
            mask[candidates] = shapely.contains_xy(zone.prepared, lons[candidates], lats[candidates])
        masks[zone.id] = mask
    return masks


@lru_cache(maxsize=32)
def _segment_tree(line: shapely.Geometry) -> shapely.STRtree:
    # One tree node per straight segment of the line (metric): a nearest-segment query is a few
    # times faster than shapely.distance against the whole line, which visits every segment.
    segments = []
    for part in shapely.get_parts(_line_to_metric(line)):
        rings = [part.exterior, *part.interiors] if isinstance(part, shapely.Polygon) else [part]
        for ring in rings:
            coords = shapely.get_coordinates(ring)
            if len(coords) == 1:
                coords = np.vstack((coords, coords))
            segments.append(np.stack((coords[:-1], coords[1:]), axis=1))
    if not segments:
        raise ValueError("distance to an empty line")
    return shapely.STRtree(shapely.linestrings(np.concatenate(segments)))


def distance_to_line_km(line: shapely.Geometry, lons: ArrayLike, lats: ArrayLike) -> NDArray[np.float64]:
    """Distance in km from each point to a lon/lat line (or polygon edge), in the metric projection.

    Meant for the few points that need a rationale ("12.4 km from the contact line"): about
    10 µs a point, some 100 times the cost of a point-in-zone test.
    """
    x, y = to_metric_xy(np.atleast_1d(lons), np.atleast_1d(lats))
    tree = _segment_tree(line)
    points = shapely.points(x, y)
    point_idx, distances = tree.query_nearest(points, return_distance=True, all_matches=False)
    result = np.full(points.shape, np.inf)
    result[point_idx[0]] = distances
    return result / 1000.0
