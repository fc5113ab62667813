from __future__ import annotations

import pytest

from truce.provisions import NotificationProvision

VALID = """
- id: notice
  kind: notification
  title: Advance notice in the zone
  text: developing effective deconfliction mechanisms
  source: {outlet: AP, date: 2026-01-06}
  zones: [fez]
  classes: [heavy_forces, troops]
  advance_hours: 48
  parties: [UA, RU]
"""


def test_a_provision_that_draws_no_zone_is_not_a_zone(error):
    line, message = error(VALID.replace("zones: [fez]", "zones: [ceasefire]"))
    assert (line, message) == (6, "provisions[2].zones[0]: unknown zone 'ceasefire' (known: fez)")


def test_valid(load):
    provision = load(VALID)
    assert isinstance(provision, NotificationProvision)
    assert (provision.zones, provision.advance_hours) == (["fez"], 48)


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            "zones: [fez]",
            "zones: [znpp]",
            6,
            "provisions[2].zones[0]: unknown zone 'znpp' (known: fez)",
        ),
        (
            "advance_hours: 48",
            "advance_hours: two days",
            8,
            "provisions[2].advance_hours: expected a positive number, got 'two days'",
        ),
        (
            "[heavy_forces, troops]",
            "[]",
            7,
            "provisions[2].classes: expected at least 1 entry, got an empty list",
        ),
    ],
)
def test_invalid(error, old, new, line, message):
    assert error(VALID.replace(old, new)) == (line, message)
