"""The contact line derived from the bundled DeepStateMap snapshots."""

import datetime as dt

import numpy as np
import pytest
import shapely

from truce.geo.admin import lookup_oblast, ukraine_outline
from truce.geo.contactline import contact_line, contact_line_metric, line_length_km
from truce.geo.control import ControlSnapshot, load_bundled
from truce.geo.projection import to_metric
from truce.geo.zones import distance_to_line_km

POKROVSK = (37.1771, 48.2801)


@pytest.fixture(scope="module")
def snapshot():
    return load_bundled("2026-01-01")


@pytest.fixture(scope="module")
def line(snapshot):
    return contact_line(snapshot)


def test_length_on_2026_01_01(line):
    # Measured: 1,329.9 km (geodesic), of which 1,242.4 km is one piece from the Kinburn spit
    # along the Dnipro and through Zaporizhzhia, Donetsk, Luhansk and Kharkiv oblasts to the
    # Russian border; the rest are the Sumy, Vovchansk and Lyptsi salients on the border and a
    # few small pockets. A +-10 km window catches any change in the derivation (each extra
    # kilometre of border tolerance trims about 17 km).
    assert line.geom_type == "MultiLineString"
    assert 1_320 < line_length_km(line) < 1_340
    longest = max(line.geoms, key=lambda part: part.length)
    assert 1_235 < line_length_km(longest) < 1_250


def test_line_lies_on_the_occupied_boundary(snapshot, line):
    # Well within the brief's 5 km: the line is a part of the boundary, to float noise.
    vertices = shapely.get_coordinates(line)
    distances = distance_to_line_km(snapshot.geometry.boundary, vertices[:, 0], vertices[:, 1])
    assert distances.max() < 0.001


def test_line_avoids_crimea_and_the_azov_and_black_sea_coasts(line):
    crimea = shapely.union(lookup_oblast("Crimea").geometry, lookup_oblast("Sevastopol").geometry)
    assert shapely.intersection(line, crimea).length == 0
    # The Azov coast from the Arabat spit to the Russian border, with the Molochnyi lyman, where
    # DeepStateMap's and Minregion's coasts differ by more than the border tolerance.
    azov = shapely.intersection(ukraine_outline().boundary, shapely.box(34.8, 45.2, 38.25, 47.2))
    assert azov.length > 3  # degrees: the coast is there to be avoided
    assert shapely.distance(to_metric(line), to_metric(azov)) > 40_000
    # The Black Sea coast of Kherson oblast with the Yahorlyk bay and the Tendra spit.
    black_sea = shapely.box(31.5, 45.9, 33.5, 46.45)
    assert shapely.intersection(line, black_sea).length == 0


def test_line_avoids_the_state_border(line):
    border = to_metric(ukraine_outline()).boundary
    # The 2 km band's round corners are drawn with 8 segments a quarter circle: <= 10 m short.
    assert shapely.distance(contact_line_metric(load_bundled("2026-01-01")), border) > 1_990
    assert shapely.distance(to_metric(line), border) == pytest.approx(2_000, abs=10)


def test_pokrovsk_is_on_the_line_at_new_year(line):
    # Pokrovsk's centre is just inside the occupied area on 2026-01-01, 0.66 km from the line.
    assert distance_to_line_km(line, [POKROVSK[0]], [POKROVSK[1]])[0] < 3


def test_larger_tolerance_trims_more_border(snapshot, line):
    wider = contact_line(snapshot, 5_000.0)
    assert line_length_km(wider) < line_length_km(line)
    # Only trimmed, nothing new (in metres: segments are straight in the projection).
    extra = contact_line_metric(snapshot, 5_000.0).difference(contact_line_metric(snapshot).buffer(0.01))
    assert extra.length == 0


def test_cached_per_snapshot(snapshot, line):
    assert contact_line(snapshot) is line


def test_every_bundled_date_has_a_plausible_line():
    for date in (dt.date(2025, 12, 1), dt.date(2026, 1, 15), dt.date(2026, 2, 1)):
        assert 1_300 < line_length_km(contact_line(load_bundled(date))) < 1_420


def test_synthetic_occupied_box_gives_its_inland_edges():
    # Occupied: Ukraine east of 38 E and north of 47.5 N. The line is the two inland edges of the
    # box; the Russian border and the Azov coast are not part of it.
    occupied = shapely.intersection(ukraine_outline(), shapely.box(38.0, 47.5, 41.0, 49.5))
    snapshot = ControlSnapshot.from_geometry(dt.date(2026, 1, 1), occupied)
    line = contact_line(snapshot)
    coords = shapely.get_coordinates(line)
    on_edges = np.isclose(coords[:, 0], 38.0, atol=1e-6) | np.isclose(coords[:, 1], 47.5, atol=1e-6)
    on_edges |= np.isclose(coords[:, 1], 49.5, atol=1e-6)
    assert on_edges.all()
    # Expected: 38 E from 47.5 to 49.5 N (222 km), 47.5 N to the Russian border near 38.29 E and
    # 49.5 N to the border near 40.04 E, each less the 2 km border band: 387.98 km measured.
    assert line_length_km(line) == pytest.approx(388.0, abs=0.5)
    assert coords[:, 0].max() < 40.04
