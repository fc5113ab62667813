"""Settlements named with their raion: lookups by pcode and by point, and homonyms told apart."""

from __future__ import annotations

import shapely

from truce.geo import settlements

KUPIANSKYI_DVORICHNA = "UA6308005002"  # Berestove, Dvorichanska hromada
KUPIANSKYI_PETROPAVLIVKA = "UA6308013002"  # Berestove, Petropavlivska hromada
BAKHMUTSKYI = "UA1402009003"  # Berestove, Soledarska hromada


def test_a_place_is_named_with_its_raion_in_english_and_ukrainian():
    place = settlements.by_pcode(BAKHMUTSKYI)
    assert place.label("en") == "Berestove, Bakhmutskyi raion"
    assert place.label("uk") == "Берестове, Бахмутський район"
    assert place.label("ru") == "Берестове, Бахмутський район"  # official spelling, Russian word


def test_two_places_of_one_name_in_one_raion_are_told_apart_by_hromada():
    one, other = settlements.by_pcode(KUPIANSKYI_DVORICHNA), settlements.by_pcode(KUPIANSKYI_PETROPAVLIVKA)
    assert one.label("en") == "Berestove, Kupianskyi raion, Dvorichanska hromada"
    assert other.label("en") == "Berestove, Kupianskyi raion, Petropavlivska hromada"
    listed = settlements.label_all([one, other, settlements.by_pcode(BAKHMUTSKYI)])
    assert listed == [
        "Berestove (Kupianskyi raion, Dvorichanska hromada)",
        "Berestove (Kupianskyi raion, Petropavlivska hromada)",
        "Berestove (Bakhmutskyi raion)",
    ]
    # a name that occurs once in a list stays short
    assert settlements.label_all([one]) == ["Berestove"]


def test_the_nearest_settlement_within_5_km_or_none():
    place = settlements.by_pcode(BAKHMUTSKYI)
    assert settlements.nearest(place.lon + 0.01, place.lat).pcode == BAKHMUTSKYI  # about 0.7 km east
    assert settlements.nearest(33.0, 45.0) is None  # the Black Sea
    assert settlements.by_pcode("UA0000000000") is None and settlements.by_pcode(None) is None


def test_settlements_in_an_area_most_populous_first():
    place = settlements.by_pcode(BAKHMUTSKYI)
    around = shapely.Point(place.lon, place.lat).buffer(0.05)
    found = settlements.settlements_in(around, limit=50)
    assert BAKHMUTSKYI in {s.pcode for s in found}
    assert [s.population for s in found] == sorted((s.population for s in found), reverse=True)
    assert settlements.settlements_in(shapely.Polygon()) == []


def test_nearest_through_the_grid_equals_a_search_of_every_settlement():
    """The grid nearest() looks in finds what a scan of the whole table finds (ties included)."""
    import random

    import numpy as np

    from truce.geo.gazetteer import haversine_km

    table = settlements._table()
    rng = random.Random(15)
    for _ in range(500):
        lon, lat = rng.uniform(22.0, 40.3), rng.uniform(44.3, 52.4)
        for max_km in (1.0, 5.0, 12.0):
            scanned = None
            for box in (0.1, max_km / 50):
                near = np.flatnonzero((np.abs(table.lon - lon) <= box) & (np.abs(table.lat - lat) <= box))
                if len(near):
                    distances = [haversine_km(lat, lon, table.lat[i], table.lon[i]) for i in near]
                    best = int(np.argmin(distances))
                    scanned = table.rows[near[best]] if distances[best] <= max_km else None
                    break
            assert settlements.nearest(lon, lat, max_km) == scanned, (lon, lat, max_km)


def test_nearest_many_answers_as_nearest_point_by_point():
    """Many points at once (the daily report's day) get nearest()'s answers: random points, points
    on settlements and on cell edges, points midway between two settlements (ties) and far away."""
    import numpy as np

    table = settlements._table()
    rng = np.random.default_rng(16)
    pick = rng.integers(0, len(table.rows), 300)
    other = rng.integers(0, len(table.rows), 300)
    lons = np.concatenate(
        [
            rng.uniform(22.0, 40.3, 4_000),
            table.lon[pick],
            (table.lon[pick] + table.lon[other]) / 2,
            np.round(rng.uniform(30, 38, 300), 1),  # on the grid's cell edges
            [10.0, 45.0],
        ]
    )
    lats = np.concatenate(
        [
            rng.uniform(44.3, 52.4, 4_000),
            table.lat[pick],
            (table.lat[pick] + table.lat[other]) / 2,
            np.round(rng.uniform(46, 51, 300), 1),
            [50.0, 47.0],
        ]
    )
    for max_km in (1.0, 5.0, 12.0):
        expected = [settlements.nearest(x, y, max_km) for x, y in zip(lons, lats, strict=True)]
        assert settlements.nearest_many(lons, lats, max_km) == expected
    assert any(expected) and None in expected
