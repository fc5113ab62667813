from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from truce.provisions import WithdrawalProvision, deadline_at

KYIV = timezone(timedelta(hours=2))

WHEN = (
    "a date and time with a UTC offset, like 2026-01-01T00:00:00+02:00 "
    "or an ISO 8601 duration after the effective time, like P30D"
)

VALID = """
- id: ru-withdrawal
  kind: withdrawal
  title: Russian withdrawal
  text: Russia will pull out of Ukraine’s Dnipropetrovsk, Mykolaiv, Sumy, and Kharkiv regions.
  source: {outlet: UPI, date: 2025-12-24}
  party: RU
  from_oblasts: [Dnipropetrovsk, Mykolaiv, Sumy, Kharkiv]
  deadline: ${period}
"""


def test_valid(load, load_resolved):
    provision = load(VALID)
    assert isinstance(provision, WithdrawalProvision)
    assert (provision.party, provision.classes, provision.deadline) == ("RU", ["armed_forces"], "${period}")
    resolved = load_resolved(VALID)
    assert deadline_at(resolved.deadline, datetime(2026, 1, 1, tzinfo=KYIV)) == datetime(
        2026, 1, 31, tzinfo=KYIV
    )


def test_absolute_deadline(load):
    provision = load(VALID.replace("${period}", "2026-02-01T12:00:00+02:00"))
    assert provision.deadline == datetime(2026, 2, 1, 12, tzinfo=KYIV)


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        (
            "party: RU",
            "party: Russia",
            6,
            "provisions[2].party: expected a party id of capital letters, like 'UA', got 'Russia'",
        ),
        (
            "${period}",
            "30 days",
            8,
            f"provisions[2].deadline: expected {WHEN}, got '30 days'",
        ),
        (
            "${period}",
            "2026-02-30T00:00:00+02:00",
            8,
            f"provisions[2].deadline: expected {WHEN}, got '2026-02-30T00:00:00+02:00' (no such day)",
        ),
        (
            "${period}",
            "${perod}",
            8,
            "provisions[2].deadline: unknown parameter 'perod' (known: period, width_km)",
        ),
        (
            "  from_oblasts: [Dnipropetrovsk, Mykolaiv, Sumy, Kharkiv]\n",
            "",
            1,
            "provisions[2]: missing required field 'from_oblasts'",
        ),
    ],
)
def test_invalid(error, old, new, line, message):
    assert error(VALID.replace(old, new)) == (line, message)
