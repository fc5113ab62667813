"""Quiet-period counters per zone and sector (the 2016 rule: 7 consecutive quiet days)."""

from datetime import date

import pytest

from truce.verify.quiet import ALL, Violation, quiet_counters

START = date(2026, 1, 1)


def counters(violations, as_of, **kw):
    return {(c.scope, c.name): c for c in quiet_counters(violations, as_of, START, **kw)}


def test_no_violation_counts_from_the_start():
    found = counters([], date(2026, 1, 7), zones=["Zolote"])
    zolote = found[("zone", "Zolote")]
    assert zolote.quiet_days == 7 and zolote.since == START and zolote.last_violation is None
    assert zolote.meets_rule and zolote.longest == 7


def test_a_violation_resets_the_streak_of_its_zone_only():
    violations = [Violation(date(2026, 1, 5), "Zolote", "Luhansk"), Violation(date(2026, 1, 2), "Petrivske")]
    found = counters(violations, date(2026, 1, 10), zones=["Stanytsia Luhanska"])
    assert found[("zone", "Zolote")].quiet_days == 5  # 6th..10th
    assert found[("zone", "Zolote")].since == date(2026, 1, 6)
    assert not found[("zone", "Zolote")].meets_rule
    assert found[("zone", "Petrivske")].quiet_days == 8 and found[("zone", "Petrivske")].meets_rule
    assert found[("zone", "Stanytsia Luhanska")].quiet_days == 10
    assert found[("sector", "Luhansk")].quiet_days == 5
    assert found[("all", ALL)].quiet_days == 5 and found[("all", ALL)].last_violation == date(2026, 1, 5)


def test_seven_consecutive_days_are_needed():
    violations = [Violation(date(2026, 1, 3), "Z")]
    assert not counters(violations, date(2026, 1, 9))[("zone", "Z")].meets_rule  # 4th..9th = 6 days
    assert counters(violations, date(2026, 1, 10))[("zone", "Z")].meets_rule  # 4th..10th = 7 days


def test_longest_streak_and_later_violations():
    violations = [
        Violation(date(2026, 1, 3), "Z"),
        Violation(date(2026, 1, 12), "Z"),
        Violation(date(2026, 2, 1), "Z"),
    ]
    z = counters(violations, date(2026, 1, 14))[("zone", "Z")]
    assert z.longest == 8  # 4th..11th
    assert z.quiet_days == 2 and z.last_violation == date(2026, 1, 12)  # February's is after as_of


def test_as_of_before_start_is_an_error():
    with pytest.raises(ValueError):
        quiet_counters([], date(2025, 12, 31), START)
