"""Zone builders and point-in-zone tests on the 2026-01-01 contact line."""

import numpy as np
import pytest
import shapely
from pyproj import Geod

from truce.geo import zones as zones_module
from truce.geo.admin import lookup_oblast
from truce.geo.contactline import contact_line
from truce.geo.control import controlled_area, load_bundled
from truce.geo.projection import area_km2, to_metric, to_metric_xy
from truce.geo.zones import (
    ZONE_TOLERANCE_M,
    Zone,
    circle,
    controlled_part,
    distance_to_line_km,
    one_sided_buffer,
    points_in_zones,
    uncontrolled_part,
)

GEOD = Geod(ellps="WGS84")
KRAMATORSK = (37.5848, 48.7389)
KYIV = (30.5234, 50.4501)
ZNPP = (34.5844, 47.5083)


@pytest.fixture(scope="module")
def snapshot():
    return load_bundled("2026-01-01")


@pytest.fixture(scope="module")
def line(snapshot):
    return contact_line(snapshot)


@pytest.fixture(scope="module")
def ua_side(snapshot):
    return controlled_area(snapshot, "UA")


@pytest.fixture(scope="module")
def ua_zones(line, ua_side):
    return {km: one_sided_buffer(line, ua_side, km, clip="Donetsk") for km in (5, 10, 40)}


def contains(geom, lon_lat):
    return shapely.contains_xy(geom, *lon_lat)


def test_kramatorsk_is_19_km_from_the_line(line):
    # DeepStateMap puts the front 19.4 km south-east of Kramatorsk on 2026-01-01 (nearest point
    # 48.62 N 37.78 E, towards Kostiantynivka); the press gave 20-25 km at the time.
    assert distance_to_line_km(line, [KRAMATORSK[0]], [KRAMATORSK[1]])[0] == pytest.approx(19.36, abs=0.05)


def test_40_km_zone_on_ukraines_side_of_donetsk(ua_zones):
    zone = ua_zones[40]
    assert contains(zone, KRAMATORSK)
    assert not contains(zone, KYIV)
    assert not contains(ua_zones[5], KRAMATORSK)
    assert not contains(ua_zones[10], KRAMATORSK)


def test_zones_never_overlap_the_occupied_area_and_stay_in_donetsk(snapshot, ua_zones):
    donetsk = lookup_oblast("Donetsk").geometry
    for zone in ua_zones.values():
        assert area_km2(shapely.intersection(zone, snapshot.geometry)) < 1e-6
        assert area_km2(shapely.difference(zone, donetsk)) < 1e-6


def test_zone_areas_are_plausible(snapshot, line, ua_side, ua_zones):
    held = area_km2(controlled_part("Donetsk", ua_side))
    # Ukraine held 5,821 km² of Donetsk oblast (22 %) on 2026-01-01.
    assert held == pytest.approx(5_821, abs=5)
    areas = {km: area_km2(z) for km, z in ua_zones.items()}
    # Measured 1,385 / 2,334 / 5,428 km². The 5 km band is at most 5 km x the line's length near
    # Donetsk (~290 km), less where it bulges; at 40 km it covers most of what Ukraine holds.
    assert areas[5] == pytest.approx(1_385, abs=5)
    assert areas[10] == pytest.approx(2_334, abs=5)
    assert areas[40] == pytest.approx(5_428, abs=5)
    assert areas[5] < areas[10] < areas[40] < held
    assert areas[40] > 0.9 * held


def test_arcs_and_simplification_change_nothing_material(line):
    # What docs/geography.md says of ZONE_TOLERANCE_M: with enough arc segments and a 10 m
    # simplification, the buffer moves <= 10 m, loses 11-21 % of its vertices and < 0.003 % of its
    # area; shapely's default 8 segments a quarter circle would lose 0.3 % at 40 km.
    line_m = zones_module._line_to_metric(line)
    for km, fewer in ((5, 0.21), (40, 0.11)):
        exact = shapely.buffer(line_m, km * 1000, quad_segs=zones_module._quad_segs(km * 1000))
        simple = shapely.simplify(exact, ZONE_TOLERANCE_M, preserve_topology=True)
        assert shapely.hausdorff_distance(exact.boundary, simple.boundary) <= ZONE_TOLERANCE_M + 1e-6
        assert abs(simple.area / exact.area - 1) < 3e-5
        removed = 1 - shapely.get_num_coordinates(simple) / shapely.get_num_coordinates(exact)
        assert removed == pytest.approx(fewer, abs=0.01)
    default = shapely.buffer(line_m, 40_000)
    assert 0.0025 < 1 - default.area / exact.area < 0.0035
    assert zones_module._quad_segs(40_000) == 36


def test_narrower_zones_nest_inside_wider_ones(ua_zones):
    assert area_km2(shapely.difference(ua_zones[5], ua_zones[10])) < 0.01
    assert area_km2(shapely.difference(ua_zones[10], ua_zones[40])) < 0.01


def test_zone_edge_is_within_tolerance_of_the_true_distance(line, ua_side, ua_zones):
    # Random points in Ukrainian-held Donetsk: inside the 10 km zone exactly when <= 10 km from
    # the line, except within 2 x ZONE_TOLERANCE_M of the edge (arc chords, simplification).
    rng = np.random.default_rng(11)
    minx, miny, maxx, maxy = ua_zones[40].bounds
    lons, lats = rng.uniform(minx, maxx, 50_000), rng.uniform(miny, maxy, 50_000)
    held_donetsk = controlled_part("Donetsk", ua_side)
    keep = shapely.contains_xy(held_donetsk, lons, lats)
    lons, lats = lons[keep], lats[keep]
    distance = distance_to_line_km(line, lons, lats)
    margin = 2 * ZONE_TOLERANCE_M / 1000
    for km in (5, 10, 40):
        inside = shapely.contains_xy(ua_zones[km], lons, lats)
        assert inside[distance < km - margin].all()
        assert not inside[distance > km + margin].any()


def test_russian_side_zone(snapshot, line):
    zone = one_sided_buffer(line, controlled_area(snapshot, "RU"), 10, clip=["Donetsk Oblast"])
    assert area_km2(zone) == pytest.approx(2_949, abs=5)
    assert area_km2(shapely.intersection(zone, controlled_area(snapshot, "UA"))) < 1e-6
    assert not contains(zone, KRAMATORSK)
    assert contains(zone, (37.1771, 48.2801))  # Pokrovsk, occupied and 0.7 km from the line


def test_unclipped_buffer_and_bad_distance(line, ua_side):
    zone = one_sided_buffer(line, ua_side, 40)
    assert area_km2(zone) == pytest.approx(41_759, abs=20)
    assert contains(zone, (35.1396, 47.8388))  # Zaporizhzhia city, ~25 km from the front
    assert not contains(zone, (35.0462, 48.4647))  # Dnipro city, ~100 km away
    with pytest.raises(ValueError):
        one_sided_buffer(line, ua_side, 0)


def test_circle_round_znpp_is_geodesic():
    zone = circle(*ZNPP, 30)
    assert zone.is_valid
    assert area_km2(zone) == pytest.approx(np.pi * 30**2, rel=1e-3)
    assert contains(zone, ZNPP)
    assert contains(zone, (34.6354, 47.5004))  # Enerhodar, ~4 km east
    for azimuth in (0, 45, 90, 200, 300):
        near = GEOD.fwd(ZNPP[0], ZNPP[1], azimuth, 29_950)[:2]
        far = GEOD.fwd(ZNPP[0], ZNPP[1], azimuth, 30_050)[:2]
        assert contains(zone, near) and not contains(zone, far)


def test_controlled_and_uncontrolled_parts_split_the_oblast(snapshot, ua_side):
    names = ["Zaporizhzhia", "Kherson"]
    ru_part = controlled_part(names, snapshot.geometry)
    rest = uncontrolled_part(names, snapshot.geometry)
    total = area_km2(lookup_oblast("UA-23").geometry) + area_km2(lookup_oblast("UA-65").geometry)
    assert area_km2(ru_part) + area_km2(rest) == pytest.approx(total, rel=1e-6)
    assert contains(ru_part, ZNPP)
    assert not contains(rest, ZNPP)
    assert area_km2(rest) == pytest.approx(area_km2(controlled_part(names, ua_side)), rel=1e-6)


def test_zone_dataclass(ua_zones):
    zone = Zone("fez-ua-40", "FEZ, Ukrainian side", ua_zones[40], "UA")
    assert shapely.is_prepared(zone.prepared)
    assert zone.bounds == pytest.approx(ua_zones[40].bounds)
    assert zone.area_km2 == pytest.approx(area_km2(ua_zones[40]))


def test_points_in_zones_matches_plain_contains_xy(ua_zones):
    zones = [Zone(f"ua-{km}", f"{km} km", geom, "UA") for km, geom in ua_zones.items()]
    zones.append(Zone("znpp", "ZNPP", circle(*ZNPP, 30)))
    rng = np.random.default_rng(5)
    lons, lats = rng.uniform(33.0, 40.5, 200_000), rng.uniform(46.0, 50.5, 200_000)
    masks = points_in_zones(zones, lons, lats)
    assert list(masks) == ["ua-5", "ua-10", "ua-40", "znpp"]
    for zone in zones:
        assert masks[zone.id].dtype == bool and masks[zone.id].shape == lons.shape
        assert np.array_equal(masks[zone.id], shapely.contains_xy(zone.geometry, lons, lats))
        assert masks[zone.id].any()
    named = points_in_zones(zones, [KRAMATORSK[0], KYIV[0]], [KRAMATORSK[1], KYIV[1]])
    assert named["ua-40"].tolist() == [True, False]
    assert named["ua-5"].tolist() == [False, False]
    empty = points_in_zones(zones, [], [])
    assert all(mask.shape == (0,) for mask in empty.values())


def test_distance_to_line_km_agrees_with_geodesic_distance():
    # A meridian segment: the distance from a point due east is along a parallel-ish geodesic.
    meridian = shapely.LineString([(37.0, 47.0), (37.0, 49.0)])
    lons, lats = np.array([37.5, 38.0, 36.0]), np.array([48.0, 48.0, 48.0])
    ours = distance_to_line_km(meridian, lons, lats)
    x, y = to_metric_xy(lons, lats)
    plain = shapely.distance(to_metric(shapely.segmentize(meridian, 0.01)), shapely.points(x, y)) / 1000
    np.testing.assert_allclose(ours, plain, rtol=1e-12)
    _, _, geodesic = GEOD.inv([37.0] * 3, [48.0] * 3, lons, lats)
    np.testing.assert_allclose(ours, geodesic / 1000, rtol=0.005)
    # A point on the lon/lat segment is on the line: the segment is densified before projecting,
    # else its projected chord would pass 30 m away.
    assert distance_to_line_km(meridian, 37.0, 48.5)[0] < 0.001
