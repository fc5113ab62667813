"""Quiet days under an agreement: the one count that `truce quiet --as-of D` and the daily report for D
both give, so the same zone and day never shows two figures.

A day is not quiet, mission-wide and in a zone, when the assessment found a violation on it inside
the zone (its zone, or its point inside the zone's drawing) or a case decided a verified violation
that happened on it there, by the cut-off (24:00 of the day, in the agreement's time zone). Counting
starts on the day the agreement took effect; every zone the agreement draws is listed, with the
zones and sectors cases name.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import numpy as np
from sqlalchemy import Connection, select

from truce.agreement.loader import parse_agreement
from truce.agreement.resolve import resolve
from truce.assess.snapshots import SnapshotIndex
from truce.assess.zones import agreement_zones
from truce.errors import UserError
from truce.geo.cells import inside_area
from truce.store.schema import agreements, findings
from truce.store.verify_tables import case_events, cases
from truce.verify.cases import CaseState
from truce.verify.quiet import QuietCount, Violation, quiet_counters

__all__ = [
    "agreement_quiet",
    "cases_as_of",
    "cut_off_of",
    "load_agreement",
    "ruled_zones",
    "violations_as_of",
]


def load_agreement(conn: Connection, agreement_id: str | None) -> tuple[Any, dict]:
    """The workspace's agreement (the only one, or the one named) and its stored row."""
    rows = conn.execute(select(agreements).order_by(agreements.c.id)).mappings().all()
    if not rows:
        raise UserError(
            None, None, "no agreement has been assessed in this workspace; run `truce assess` first"
        )
    names = ", ".join(r["id"] for r in rows)
    if agreement_id is None:
        if len(rows) > 1:
            raise UserError(
                None, None, f"the workspace has several agreements ({names}); choose one with --agreement"
            )
        row = rows[0]
    else:
        row = next((r for r in rows if r["id"] == agreement_id), None)
        if row is None:
            raise UserError(None, None, f"no agreement {agreement_id!r} in the workspace (it has: {names})")
    return resolve(parse_agreement(row["source_text"], f"agreement {row['id']}")), dict(row)


def cut_off_of(agreement: Any, day: dt.date) -> dt.datetime:  # noqa: ANN401
    """24:00 of `day` in the agreement's time zone."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), zoneinfo.ZoneInfo(agreement.timezone))


def ruled_zones(conn: Connection, agreement: Any) -> list[Any]:  # noqa: ANN401
    """The zones the agreement draws (RuledZone); none without a reference snapshot."""
    try:
        return agreement_zones(
            agreement, SnapshotIndex(conn, agreement.reference.occupying_party).on_or_before
        )
    except UserError:
        return []


def _at(text_value: str) -> dt.datetime:
    moment = dt.datetime.fromisoformat(text_value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def cases_as_of(conn: Connection, cut_off: dt.datetime) -> list[dict]:
    """Every case opened by the cut-off, with its state then (replayed from its audit trail)."""
    states: dict[str, tuple[str, dt.datetime]] = {}
    verified: set[str] = set()
    events = select(case_events.c.case_id, case_events.c.to_state, case_events.c.at).order_by(
        case_events.c.case_id, case_events.c.seq
    )
    for row in conn.execute(events):
        when = _at(row.at)
        if when > cut_off:
            continue
        states[row.case_id] = (row.to_state, when)
        if row.to_state == CaseState.verified_violation.value:
            verified.add(row.case_id)
    if not states:
        return []
    query = select(
        cases.c.id,
        cases.c.title,
        cases.c.category,
        cases.c.event_date,
        cases.c.zone,
        cases.c.sector,
        cases.c.alleged_against,
        cases.c.protected,
        cases.c.opened_at,
    ).where(cases.c.id.in_(list(states)))
    found = []
    for row in conn.execute(query.order_by(cases.c.id)).mappings():
        state, since = states[row["id"]]
        found.append(
            {
                "id": row["id"],
                "title": row["title"],
                "category": row["category"],
                "event_date": row["event_date"].isoformat() if row["event_date"] else None,
                "zone": row["zone"],
                "sector": row["sector"],
                "alleged_against": row["alleged_against"],
                "protected": bool(row["protected"]),
                "opened_at": row["opened_at"],
                "state": state,
                "state_since": since.isoformat(),
                "ever_verified": row["id"] in verified,
            }
        )
    return found


def violations_as_of(
    conn: Connection,
    agreement_id: str,
    zones: list[Any],
    start: dt.date,
    as_of: dt.date,
    cut_off: dt.datetime,
) -> list[Violation]:
    """Violations on record at the cut-off: the assessment's violation findings of the days from
    start to as_of (mission-wide, and in each zone they lie in) and verified-violation cases.
    Quiet days only ask on which days there was one, so findings count once per day and zone (the
    store finds the distinct days; points without a zone are placed a batch at a time)."""
    violation = (
        findings.c.agreement_id == agreement_id,
        findings.c.status == "violation",
        findings.c.date >= start,
        findings.c.date <= as_of,
    )
    days = select(findings.c.date).where(*violation).distinct()
    found = [Violation(day) for (day,) in conn.execute(days)]  # mission-wide
    zoned = select(findings.c.date, findings.c.zone_id).where(*violation, findings.c.zone_id.is_not(None))
    found += [Violation(day, zone_id) for day, zone_id in conn.execute(zoned.distinct())]
    placed = select(findings.c.date, findings.c.lon, findings.c.lat).where(
        *violation, findings.c.zone_id.is_(None), findings.c.lon.is_not(None), findings.c.lat.is_not(None)
    )
    for chunk in conn.execution_options(yield_per=50_000).execute(placed.distinct()).partitions():
        lons, lats = np.array([r.lon for r in chunk]), np.array([r.lat for r in chunk])
        for ruled in zones:
            inside = inside_area(ruled.zone.geometry, lons, lats)
            found += [Violation(d, ruled.zone.id) for d in {chunk[i].date for i in np.flatnonzero(inside)}]
    for case in cases_as_of(conn, cut_off):
        if case["ever_verified"] and case["event_date"] and case["category"] != "interference":
            found.append(
                Violation(dt.date.fromisoformat(case["event_date"]), case["zone"], case["sector"], case["id"])
            )
    return found


def agreement_quiet(
    conn: Connection,
    agreement: Any,  # noqa: ANN401 — a resolved Agreement
    as_of: dt.date,
    *,
    since: dt.date | None = None,
    zones: list[Any] | None = None,
    required: int = 7,
) -> list[QuietCount]:
    """Quiet-day counters mission-wide, per zone the agreement draws (and per zone and sector that
    cases name), up to and including `as_of`, counted from the day the agreement took effect."""
    tz = zoneinfo.ZoneInfo(agreement.timezone)
    start = since or agreement.effective.astimezone(tz).date()
    if as_of < start:
        raise UserError(None, None, f"{as_of} is before counting starts ({start})")
    ruled = ruled_zones(conn, agreement) if zones is None else zones
    violations = violations_as_of(conn, agreement.id, ruled, start, as_of, cut_off_of(agreement, as_of))
    named = conn.execute(select(cases.c.zone, cases.c.sector)).all()
    return quiet_counters(
        violations,
        as_of,
        start,
        zones=[r.zone.id for r in ruled] + sorted({z for z, _ in named if z}),
        sectors=sorted({s for _, s in named if s}),
        required=required,
    )
