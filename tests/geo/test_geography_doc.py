"""docs/geography.md states figures; recompute them so that the page cannot drift from the code."""

import re
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Proj

from truce.geo.contactline import _border_band, contact_line, line_length_km
from truce.geo.control import controlled_area, load_bundled
from truce.geo.projection import METRIC_CRS, area_km2, to_lonlat, to_metric
from truce.geo.territory import occupied_area_km2, territorial_change
from truce.geo.zones import circle, controlled_part, distance_to_line_km, one_sided_buffer

from .test_projection import EAST, NORTH, SOUTH, WEST, random_pairs, relative_errors

DOC = Path(__file__).resolve().parents[2] / "docs" / "geography.md"


@pytest.fixture(scope="module")
def text():
    return DOC.read_text(encoding="utf-8")


def stated(text, figure):
    assert figure in text, f"docs/geography.md should state {figure!r}"


def test_no_shell_commands(text):
    # Every shell command in the docs must be one a test runs: this page has none.
    assert not re.search(r"```(?:bash|sh|shell|console)", text)
    assert not re.search(r"^\s*\$ ", text, flags=re.MULTILINE)


def test_projection_figures(text):
    measured = relative_errors(*random_pairs(200_000)).max()
    stated(text, f"+{measured * 100:.2f} %")
    lons, lats = np.meshgrid(np.linspace(WEST, EAST, 186), np.linspace(SOUTH, NORTH, 86))
    tissot = np.asarray(Proj(METRIC_CRS).get_factors(lons.ravel(), lats.ravel()).tissot_semimajor).max() - 1
    stated(text, f"**+{tissot * 100:.2f} %**")
    stated(text, f"at least {40 * (1 - tissot):.2f} km anywhere")


def test_contact_line_figures(text):
    snapshot = load_bundled("2026-01-01")
    line = contact_line(snapshot)
    stated(text, f"**{line_length_km(line):,.1f} km**")
    stated(text, f"one piece of\n{line_length_km(max(line.geoms, key=lambda p: p.length)):,.1f} km")
    stated(text, f"{line_length_km(contact_line(snapshot, 1000.0)):,.1f} km at 1 km")
    stated(text, f"{line_length_km(contact_line(snapshot, 3000.0)):,.1f} km at 3 km")
    stated(text, f"{line_length_km(contact_line(load_bundled('2025-12-01'))):,.1f} km long on 2025-12-01")
    stated(text, f"{line_length_km(contact_line(load_bundled('2026-02-01'))):,.1f} km on 2026-02-01")
    stated(text, f"{distance_to_line_km(line, 37.1771, 48.2801)[0]:.2f} km from it")
    # Step 2 (dropping lagoon shores) removes "some 140 km".
    naive = shapely.difference(to_metric(snapshot.geometry).boundary, _border_band(2000.0))
    assert 130 < line_length_km(to_lonlat(naive)) - line_length_km(line) < 150
    stated(text, "some 140 km")


def test_zone_figures(text):
    snapshot = load_bundled("2026-01-01")
    line = contact_line(snapshot)
    held = area_km2(controlled_part("Donetsk", controlled_area(snapshot, "UA")))
    stated(text, f"Ukraine held {held:,.0f} km²")
    for km in (5, 10, 40):
        ua = area_km2(one_sided_buffer(line, controlled_area(snapshot, "UA"), km, clip="Donetsk"))
        ru = area_km2(one_sided_buffer(line, controlled_area(snapshot, "RU"), km, clip="Donetsk"))
        stated(text, f"| {km} km | {ua:,.0f} km² | {ru:,.0f} km² |")
    stated(text, f"Kramatorsk is {distance_to_line_km(line, 37.5848, 48.7389)[0]:.1f} km from the line")
    stated(text, f"covers {area_km2(circle(34.5844, 47.5083, 30)):,.0f} km²")


def test_territory_figures(text):
    stated(text, f"({occupied_area_km2(load_bundled('2026-01-01')):,.1f} km²)")
    change = territorial_change(load_bundled("2025-12-01"), load_bundled("2025-12-28"))
    stated(text, f"**{change.gained_km2('RU', ['Dnipropetrovsk', 'Zaporizhzhia']):.1f} km²**")
    stated(text, f"Dnipropetrovsk\n{change.gained_km2('RU', ['Dnipropetrovsk']):.1f}")
    stated(text, f"Zaporizhzhia {change.gained_km2('RU', ['Zaporizhzhia']):.1f}")
    stated(text, f"Russia gained {change.gained_km2('RU'):.1f} km² in all")
    stated(text, f"({change.gained_km2('RU', ['Donetsk']):.1f} in Donetsk)")
    stated(text, f"lost {change.lost_km2('RU'):.1f} ({change.lost_km2('RU', ['Kharkiv']):.1f} in Kharkiv)")
