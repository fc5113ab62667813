from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from truce.provisions import ASAP, MilestoneProvision

WHEN = (
    "a date and time with a UTC offset, like 2026-01-01T00:00:00+02:00 "
    "or an ISO 8601 duration after the effective time, like P30D"
)

VALID = """
- id: elections
  kind: milestone
  title: Elections
  text: a requirement for Ukraine to hold elections as soon as possible after the deal is signed.
  source: {outlet: UPI, date: 2025-12-24}
  parties: [UA]
  event: elections held
  deadline: as soon as possible
  review_by: P90D
"""


def test_valid(load):
    provision = load(VALID)
    assert isinstance(provision, MilestoneProvision)
    assert (provision.deadline, provision.review_by) == (ASAP, "P90D")


def test_dated_deadline_needs_no_review(load):
    provision = load(
        VALID.replace("as soon as possible", "2026-03-01T00:00:00+02:00").replace("  review_by: P90D\n", "")
    )
    assert provision.deadline == datetime(2026, 3, 1, tzinfo=timezone(timedelta(hours=2)))


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            "  review_by: P90D\n",
            "",
            1,
            "provisions[2]: a deadline of 'as soon as possible' needs a 'review_by' date",
        ),
        (
            "as soon as possible",
            "asap",
            8,
            f"provisions[2].deadline: expected {WHEN} or 'as soon as possible', got 'asap'",
        ),
        (
            "parties: [UA]",
            "parties: []",
            6,
            "provisions[2].parties: expected at least 1 entry, got an empty list",
        ),
    ],
)
def test_invalid(error, old, new, line, message):
    assert error(VALID.replace(old, new)) == (line, message)
