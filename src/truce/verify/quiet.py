"""Quiet-period counters: consecutive days without a verified violation, per zone and per sector.

The 2016 Framework Decision on disengagement (Stanytsia Luhanska, Zolote, Petrivske) let a
pull-back start only after 7 consecutive days of quiet in the area; `required` is that number.
A day counts by when the violation *happened* (the case's event date), not when it was verified,
so a violation verified late breaks the streak it fell in. Days are whole calendar days up to and
including `as_of`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["ALL", "QuietCount", "Violation", "quiet_counters"]

ALL = "(all)"  # the mission-wide counter


@dataclass(frozen=True)
class Violation:
    """A verified violation: when it happened and where."""

    day: date
    zone: str | None = None
    sector: str | None = None
    case_id: str | None = None


@dataclass(frozen=True)
class QuietCount:
    scope: str  # "zone", "sector" or "all"
    name: str
    quiet_days: int  # the current streak, up to as_of
    since: date  # the first day of the current streak
    last_violation: date | None
    longest: int  # the longest streak between start and as_of
    required: int

    @property
    def meets_rule(self) -> bool:
        return self.quiet_days >= self.required

    def to_json(self) -> dict:
        return {
            "scope": self.scope,
            "name": self.name,
            "quiet_days": self.quiet_days,
            "since": self.since.isoformat(),
            "last_violation": self.last_violation.isoformat() if self.last_violation else None,
            "longest": self.longest,
            "required": self.required,
            "meets_rule": self.meets_rule,
        }


def _count(
    scope: str, name: str, days: Iterable[date], start: date, as_of: date, required: int
) -> QuietCount:
    hits = sorted({d for d in days if start <= d <= as_of})
    last = hits[-1] if hits else None
    since = (last + timedelta(days=1)) if last else start
    quiet = max(0, (as_of - since).days + 1)
    # Streaks: before the first violation, between violations, after the last.
    edges = [start - timedelta(days=1), *hits, as_of + timedelta(days=1)]
    longest = max((later - earlier).days - 1 for earlier, later in zip(edges, edges[1:], strict=False))
    return QuietCount(scope, name, quiet, since, last, max(longest, 0), required)


def quiet_counters(
    violations: Iterable[Violation],
    as_of: date,
    start: date,
    *,
    zones: Iterable[str] = (),
    sectors: Iterable[str] = (),
    required: int = 7,
) -> list[QuietCount]:
    """Counters for the mission as a whole, each zone and each sector (those named in `zones` and
    `sectors` are listed even with no violation at all). `start` is when counting begins, e.g.
    the ceasefire's effective date."""
    if as_of < start:
        raise ValueError(f"as_of {as_of} is before the start {start}")
    listed = list(violations)
    by_zone: dict[str, list[date]] = {z: [] for z in zones}
    by_sector: dict[str, list[date]] = {s: [] for s in sectors}
    for v in listed:
        if v.zone:
            by_zone.setdefault(v.zone, []).append(v.day)
        if v.sector:
            by_sector.setdefault(v.sector, []).append(v.day)
    counts = [_count("all", ALL, (v.day for v in listed), start, as_of, required)]
    counts += [_count("zone", z, days, start, as_of, required) for z, days in sorted(by_zone.items())]
    counts += [_count("sector", s, days, start, as_of, required) for s, days in sorted(by_sector.items())]
    return counts
