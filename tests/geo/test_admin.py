"""Oblasts: the 27 units, name lookup, point-in-oblast, the outline."""

import numpy as np
import pytest

from truce.geo.admin import (
    find_oblast,
    lookup_oblast,
    normalize_name,
    oblast_of,
    oblasts,
    oblasts_geometry,
    oblasts_of,
    ukraine_outline,
)
from truce.geo.projection import area_km2


def test_there_are_27_units_with_unique_iso_codes_and_three_languages():
    units = oblasts()
    assert len(units) == 27
    assert len({u.iso for u in units}) == 27
    assert all(u.name_en and u.name_uk and u.name_ru for u in units)
    kinds = [u.kind for u in units]
    assert kinds.count("city") == 2 and kinds.count("republic") == 1 and kinds.count("oblast") == 24


@pytest.mark.parametrize(
    ("name", "iso"),
    [
        ("Donetsk", "UA-14"),
        ("Donetsk Oblast", "UA-14"),
        ("donetsk region", "UA-14"),
        ("Донецька область", "UA-14"),
        ("Донецкая область", "UA-14"),
        ("Zaporizhzhia", "UA-23"),
        ("Zaporozhye", "UA-23"),
        ("Zaporiz'ka oblast", "UA-23"),
        ("Zaporiz’ka", "UA-23"),  # typographic apostrophe
        ("Запорізька обл.", "UA-23"),
        ("UA-23", "UA-23"),
        ("Dnipro Oblast", "UA-12"),
        ("Dnipropetrovsk region", "UA-12"),
        ("Kharkov", "UA-63"),
        ("Odessa region", "UA-51"),
        ("Ivano Frankivsk", "UA-26"),
        ("Kropyvnytskyi", "UA-35"),
        ("Crimea", "UA-43"),
        ("Republic of Crimea", "UA-43"),
        ("Sevastopol", "UA-40"),
        ("Kyiv", "UA-30"),  # the city, not the oblast
        ("Київ", "UA-30"),
        ("Kyiv City", "UA-30"),
        ("Kyiv Oblast", "UA-32"),
        ("Kiev region", "UA-32"),
        ("Київська область", "UA-32"),
    ],
)
def test_lookup_by_any_name_or_variant(name, iso):
    assert lookup_oblast(name).iso == iso
    assert find_oblast(name).iso == iso


def test_unknown_and_ambiguous_names():
    assert find_oblast("Narnia") is None
    with pytest.raises(LookupError, match="not an oblast"):
        lookup_oblast("Narnia")
    # "Donbas" is Donetsk and Luhansk together: refuse to guess.
    assert find_oblast("Donbas") is None
    with pytest.raises(LookupError, match="ambiguous: Luhansk Oblast or Donetsk Oblast"):
        lookup_oblast("Donbas")


def test_normalize_name():
    assert normalize_name("  Zaporiz’KA   Oblast ") == "zaporizka oblast"
    assert normalize_name("Ivano-Frankivsk") == "ivano frankivsk"


@pytest.mark.parametrize(
    ("lon", "lat", "iso"),
    [
        (30.5234, 50.4501, "UA-30"),  # Kyiv city, inside the hole of Kyiv Oblast
        (30.2506, 50.5218, "UA-32"),  # Irpin, Kyiv Oblast
        (37.5848, 48.7389, "UA-14"),  # Kramatorsk
        (36.2304, 49.9935, "UA-63"),  # Kharkiv
        (33.5224, 44.6166, "UA-40"),  # Sevastopol
        (34.1024, 44.9521, "UA-43"),  # Simferopol
        (35.1396, 47.8388, "UA-23"),  # Zaporizhzhia city
    ],
)
def test_oblast_of_a_point(lon, lat, iso):
    assert oblast_of(lon, lat).iso == iso


def test_oblast_of_outside_ukraine_is_none():
    assert oblast_of(36.58, 50.60) is None  # Belgorod, Russia
    assert oblast_of(31.0, 43.0) is None  # Black Sea


def test_oblasts_of_is_vectorised():
    lons = np.array([30.5234, 36.58, 37.5848])
    lats = np.array([50.4501, 50.60, 48.7389])
    assert list(oblasts_of(lons, lats)) == ["UA-30", None, "UA-14"]
    assert oblasts_of(np.array([]), np.array([])).shape == (0,)


def test_outline_and_areas():
    outline = ukraine_outline()
    assert outline.is_valid
    # Ukraine is 603,628 km² officially; the 0.004°-simplified boundaries give 602,330 km².
    assert area_km2(outline) == pytest.approx(602_330, abs=50)
    for unit in oblasts():
        assert unit.geometry.is_valid
    donetsk = lookup_oblast("Donetsk")
    assert area_km2(donetsk.geometry) == pytest.approx(26_509, rel=0.01)  # table: 26,509 km²


def test_oblasts_geometry_is_the_union_of_named_units():
    union = oblasts_geometry(["Donetsk", "Luhansk Oblast"])
    expected = area_km2(lookup_oblast("UA-14").geometry) + area_km2(lookup_oblast("UA-09").geometry)
    assert area_km2(union) == pytest.approx(expected, rel=1e-6)
    with pytest.raises(LookupError):
        oblasts_geometry(["Donetsk", "Atlantis"])
