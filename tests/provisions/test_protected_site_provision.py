from __future__ import annotations

import pytest

from truce.provisions import ProtectedSiteProvision

VALID = """
- id: znpp-zone
  kind: protected_site
  title: Zone around the plant
  text: an economic zone would also have to be set up around the Zaporizhzhia nuclear power plant
  source: {outlet: UPI, date: 2025-12-24}
  site: {name: Zaporizhzhia Nuclear Power Plant, lon: 34.5844, lat: 47.5083}
  radius_km: 30
  forbidden:
    classes: [heavy_forces]
    activities: [shelling, drone_strike]
"""


def test_valid(load):
    provision = load(VALID)
    assert isinstance(provision, ProtectedSiteProvision)
    assert (provision.site.lat, provision.site.lon, provision.radius_km) == (47.5083, 34.5844, 30)
    assert provision.forbidden.activities == ["shelling", "drone_strike"]


def test_only_activities_is_enough(load):
    assert load(VALID.replace("    classes: [heavy_forces]\n", "")).forbidden.classes == []


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("lat: 47.5083", "lat: 147.5083", 6, "provisions[2].site.lat: expected a number, got 147.5083"),
        (
            "radius_km: 30",
            "radius_km: 30 km",
            7,
            "provisions[2].radius_km: expected a positive number, got '30 km'",
        ),
        (
            "    classes: [heavy_forces]\n    activities: [shelling, drone_strike]\n",
            "    classes: []\n",
            8,
            "provisions[2].forbidden: forbid at least one force class ('classes') or activity ('activities')",
        ),
    ],
)
def test_invalid(error, old, new, line, message):
    assert error(VALID.replace(old, new)) == (line, message)
