"""Specks, enclaves and slivers below the stated size are left out of zones, and listed."""

import datetime as dt

import pytest
import shapely

from truce.geo.control import ControlSnapshot
from truce.geo.projection import area_km2
from truce.geo.slivers import snapshot_without_specks, without_small_parts


def _square(lon: float, lat: float, side_deg: float) -> shapely.Polygon:
    return shapely.box(lon, lat, lon + side_deg, lat + side_deg)


def test_parts_below_the_threshold_are_left_out_and_listed():
    big, small = _square(37.0, 48.0, 0.2), _square(38.0, 48.0, 0.005)  # ~330 km², ~0.2 km²
    kept, left_out = without_small_parts(shapely.MultiPolygon([big, small]), 2.0)
    assert isinstance(kept, shapely.MultiPolygon) and kept.is_valid and len(kept.geoms) == 1
    assert [p.kind for p in left_out] == ["part"]
    assert left_out[0].km2 == pytest.approx(area_km2(small)) and 38.0 < left_out[0].lon < 38.005


def test_zero_keeps_every_part_and_stray_lines_are_dropped():
    pieces = shapely.GeometryCollection(
        [_square(37.0, 48.0, 0.2), _square(38.0, 48.0, 0.005), shapely.LineString([(0, 0), (1, 1)])]
    )
    kept, left_out = without_small_parts(pieces, 0)
    assert len(kept.geoms) == 2 and left_out == []


def test_an_enclave_is_filled_and_a_speck_removed_from_the_snapshot():
    outer = _square(37.0, 48.0, 0.5)
    enclave = _square(37.2, 48.2, 0.005)  # a speck of the other side inside the party's area
    large_hole = _square(37.05, 48.05, 0.1)  # a real pocket: kept
    area = shapely.Polygon(outer.exterior.coords, [enclave.exterior.coords, large_hole.exterior.coords])
    speck = _square(36.0, 48.0, 0.004)
    snapshot = ControlSnapshot.from_geometry(dt.date(2026, 1, 1), shapely.MultiPolygon([area, speck]))
    cleaned, left_out = snapshot_without_specks(snapshot, 2.0)
    assert sorted((p.kind, p.party) for p in left_out) == [("enclave", "UA"), ("speck", "RU")]
    (polygon,) = cleaned.geometry.geoms
    assert len(polygon.interiors) == 1  # the large pocket stays a hole
    assert cleaned.geometry.contains(shapely.Point(37.2025, 48.2025))
    assert not cleaned.geometry.contains(shapely.Point(36.002, 48.002))
    assert snapshot_without_specks(snapshot, 0) == (snapshot, ())
