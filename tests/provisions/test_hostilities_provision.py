from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from truce.provisions import ACTIVITY_TYPES, DEFAULT_HOSTILITIES_TYPES, HostilitiesProvision, deadline_at

WHEN = (
    "a date and time with a UTC offset, like 2026-01-01T00:00:00+02:00 "
    "or an ISO 8601 duration after the effective time, like P30D"
)

VALID = """
- id: truce
  kind: hostilities
  title: Ceasefire in two oblasts
  text: Immediate and comprehensive ceasefire.
  source: {outlet: UN, date: 2015-02-12, locator: point 1}
  parties: [UA, RU]
  incident_types: [shelling, small_arms_fire]
  area: {oblasts: [Donetsk, Luhansk]}
  starts: PT12H
"""


def test_valid(load):
    provision = load(VALID)
    assert isinstance(provision, HostilitiesProvision)
    assert provision.incident_types == ["shelling", "small_arms_fire"]
    assert provision.area.oblasts == ["Donetsk", "Luhansk"]
    effective = datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=2)))
    assert deadline_at(provision.starts, effective) == datetime(
        2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=2))
    )


def test_defaults_are_every_party_and_the_attack_types(load):
    provision = load(
        VALID.replace("  parties: [UA, RU]\n", "").replace(
            "  incident_types: [shelling, small_arms_fire]\n", ""
        )
    )
    assert provision.parties == []
    assert provision.incident_types == list(DEFAULT_HOSTILITIES_TYPES)


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            "[shelling, small_arms_fire]",
            "[shelling, picnic]",
            7,
            f"provisions[2].incident_types[1]: expected one of {', '.join(ACTIVITY_TYPES)}, got 'picnic'",
        ),
        ("[UA, RU]", "[UA, BY]", 6, "provisions[2].parties[1]: unknown party 'BY' (known: RU, UA)"),
        (
            "{oblasts: [Donetsk, Luhansk]}",
            "{oblasts: []}",
            8,
            "provisions[2].area.oblasts: expected at least 1 entry, got an empty list",
        ),
        (
            "PT12H",
            "tomorrow",
            9,
            f"provisions[2].starts: expected {WHEN}, got 'tomorrow'",
        ),
    ],
)
def test_invalid(error, old, new, line, message):
    assert error(VALID.replace(old, new)) == (line, message)


def test_model_alone_rejects_bad_types():
    with pytest.raises(ValidationError):
        HostilitiesProvision(
            id="x", title="t", text="t", source={"outlet": "o", "date": "2025-01-01"}, incident_types=[]
        )
