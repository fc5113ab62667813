"""Zones on the real bundled snapshots: valid MultiPolygons, no part below the terms' threshold,
no phantom ring around a speck of the map, and every piece left out listed."""

import pytest
import shapely

from truce.agreement.bundled import bundled_agreement_path
from truce.agreement.loader import load_agreement
from truce.agreement.resolve import resolve
from truce.assess.zones import agreement_zones
from truce.geo.control import bundled_snapshots, load_bundled
from truce.geo.projection import area_km2

# A speck the snapshot of 31 December 2025 marks as Ukrainian-held, deep in occupied Donetsk.
SPECK = (37.5327, 47.9654)


def _snapshot(day):
    try:
        return load_bundled(day, on_or_before=True)
    except LookupError:
        return None


def _zones(overrides=None, **reference):
    agreement = resolve(load_agreement(bundled_agreement_path("ukraine-framework-2025")), overrides or {})
    if reference:
        agreement = agreement.model_copy(
            update={"reference": agreement.reference.model_copy(update=reference)}
        )
    return {rz.zone.id: rz.zone for rz in agreement_zones(agreement, _snapshot)}


@pytest.fixture(scope="module")
def zones():
    return _zones()


@pytest.fixture(scope="module")
def raw():
    return _zones(min_part_km2=0)


def test_every_zone_is_a_valid_multipolygon_with_no_part_below_the_threshold(zones):
    assert len(zones) == 4
    for zone in zones.values():
        assert isinstance(zone.geometry, shapely.MultiPolygon) and zone.geometry.is_valid, zone.id
        assert min(area_km2(p) for p in zone.geometry.geoms) >= 2.0, zone.id
        assert all(area_km2(shapely.Polygon(r)) >= 2.0 for p in zone.geometry.geoms for r in p.interiors)


def test_the_free_economic_zone_has_no_slivers_and_lists_them(zones, raw):
    fez, drawn = zones["fez-ru"], raw["fez-ru"]
    assert len(drawn.geometry.geoms) > 40  # as the map draws it: slivers along border and coast
    assert len(fez.geometry.geoms) <= 3
    # Every piece of the drawn zone not kept is listed: slivers of the zone, and the speck of the
    # map (an "enclave" in the Russian-held area) that the zone would otherwise contain.
    assert len(fez.left_out) == len(drawn.geometry.geoms) - len(fez.geometry.geoms)
    assert sum(p.km2 for p in fez.left_out) == pytest.approx(drawn.area_km2 - fez.area_km2, rel=1e-3)
    for piece in fez.left_out:  # an incident in a left-out sliver is not "inside the FEZ"
        assert not fez.geometry.contains(shapely.Point(piece.lon, piece.lat))


def test_the_phantom_ring_around_the_speck_is_gone(zones, raw):
    ring = shapely.Point(SPECK).buffer(0.2)  # ~15–20 km around the speck
    before = area_km2(raw["fez-pullback-ru-10km"].geometry.intersection(ring))
    after = area_km2(zones["fez-pullback-ru-10km"].geometry.intersection(ring))
    assert before > 250 and after == 0
    enclaves = [p for p in zones["fez-pullback-ru-10km"].left_out if p.kind == "enclave"]
    assert [(round(p.lon, 2), round(p.lat, 2), p.party) for p in enclaves] == [(37.53, 47.97, "UA")]


def test_the_threshold_is_a_terms_parameter(raw):
    larger = _zones(min_part_km2=100)
    assert len(larger["fez-ru"].geometry.geoms) == 1  # the 86 km² piece goes too
    assert larger["fez-ru"].area_km2 < raw["fez-ru"].area_km2


@pytest.mark.parametrize("day", [d for d in bundled_snapshots() if d.day in (1, 15)])
def test_no_part_below_the_threshold_on_every_bundled_reference_day(day):
    for zone in _zones(control_snapshot=day).values():
        assert min(area_km2(p) for p in zone.geometry.geoms) >= 2.0, (day, zone.id)


def test_zone_metadata_reports_side_area_parts_and_what_was_left_out(zones):
    meta = zones["fez-ru"].metadata()
    assert meta["party"] == "RU" and meta["parts"] == len(zones["fez-ru"].geometry.geoms)
    assert meta["area_km2"] == round(zones["fez-ru"].area_km2, 1)
    assert meta["left_out"] and {"kind", "km2", "lon", "lat"} <= set(meta["left_out"][0])
