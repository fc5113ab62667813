from __future__ import annotations

import pytest

from truce.provisions import TerritoryFreezeProvision

VALID = """
- id: freeze
  kind: territory_freeze
  title: Front line frozen
  text: the frontlines in Donetsk, Luhansk, Zaporizhzhia and Kherson regions to form the de facto border
  source: {outlet: UPI, date: 2025-12-24}
  oblasts: [Donetsk, Luhansk, Zaporizhzhia, Kherson]
  tolerance_km2: 5
"""


def test_valid(load):
    provision = load(VALID)
    assert isinstance(provision, TerritoryFreezeProvision)
    assert (provision.tolerance_km2, provision.parties) == (5, [])
    assert [ref.value for ref in provision.references() if ref.sort == "region"] == provision.oblasts


def test_zero_tolerance_is_allowed(load):
    assert load(VALID.replace("tolerance_km2: 5", "tolerance_km2: 0")).tolerance_km2 == 0


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            "tolerance_km2: 5",
            "tolerance_km2: -1",
            7,
            "provisions[2].tolerance_km2: expected a number of zero or more, got -1",
        ),
        ("  tolerance_km2: 5\n", "", 1, "provisions[2]: missing required field 'tolerance_km2'"),
        (
            "oblasts: [Donetsk, Luhansk, Zaporizhzhia, Kherson]",
            "oblasts: Donetsk",
            6,
            "provisions[2].oblasts: expected a list (each a one-line text of at most 200 characters), "
            "got 'Donetsk'",
        ),
    ],
)
def test_invalid(error, old, new, line, message):
    assert error(VALID.replace(old, new)) == (line, message)
