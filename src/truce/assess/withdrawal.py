"""`withdrawal`: a party's forces out of the listed oblasts by a deadline. Measured on the control
snapshots: the area the party still holds in each oblast at the cut-off (or at the deadline)."""

from __future__ import annotations

import datetime as dt

from truce.assess._findings import Found, finding, fmt_when
from truce.assess.context import Context
from truce.assess.places import places_in
from truce.geo.admin import Oblast, lookup_oblast
from truce.geo.control import controlled_area
from truce.geo.projection import area_km2
from truce.model import Finding, FindingStatus, Severity
from truce.provisions import WithdrawalProvision, deadline_at

__all__ = ["check", "concluded", "found"]

# Slivers below this are drawing noise on the control map, not forces left behind.
_NOISE_KM2 = 0.5


def found(provision: WithdrawalProvision, ctx: Context) -> Found:
    """The area the party holds in each oblast (of the part's oblasts, if a part is given)."""
    deadline = deadline_at(provision.deadline, ctx.effective)
    overdue = ctx.cut_off >= deadline
    day = ctx.last_known_day  # the state of things at the cut-off
    snapshot = ctx.snapshot_known_on(day)
    result = Found()
    for position, name in enumerate(provision.from_oblasts):
        if ctx.part.oblasts is not None and name not in ctx.part.oblasts:
            continue
        oblast = lookup_oblast(name)
        if snapshot is None:
            result.add(
                (position,),
                finding(
                    ctx,
                    provision,
                    FindingStatus.not_assessable,
                    Severity.info,
                    f"No control snapshot on or before {day} to measure {oblast.name_en}.",
                    oblast.iso,
                    party=provision.party,
                    date=day,
                ),
            )
            continue
        held = controlled_area(snapshot, provision.party).intersection(oblast.geometry)
        km2 = area_km2(held)
        named_places = places_in(held) if km2 > _NOISE_KM2 else {}
        item = _finding(provision, ctx, oblast, km2, named_places, deadline, overdue, snapshot.date)
        result.add((position,), item)
    return result


def concluded(provision: WithdrawalProvision, ctx: Context, whole: Found) -> list[Finding]:
    return whole.findings


def check(provision: WithdrawalProvision, ctx: Context) -> list[Finding]:
    return concluded(provision, ctx, found(provision, ctx))


def _finding(
    provision: WithdrawalProvision,
    ctx: Context,
    oblast: Oblast,
    km2: float,
    named_places: dict[str, list[str]],
    deadline: dt.datetime,
    overdue: bool,
    day: dt.date,
) -> Finding:
    places = named_places.get("places", [])
    where = f"{provision.party} held {km2:,.1f} km² of {oblast.name_en} on {day}"
    named = f" (including {', '.join(places)})" if places else ""
    if km2 <= _NOISE_KM2:
        status, severity = FindingStatus.compliant, Severity.info
        rationale = f"{where}: withdrawn, as required by {fmt_when(deadline)}."
    elif overdue:
        status, severity = FindingStatus.violation, Severity.high
        rationale = f"{where}{named}, after the withdrawal deadline of {fmt_when(deadline)}."
    else:
        status, severity = FindingStatus.pending, Severity.info
        rationale = f"{where}{named}; the withdrawal deadline is {fmt_when(deadline)}."
    return finding(
        ctx,
        provision,
        status,
        severity,
        rationale,
        oblast.iso,
        party=provision.party,
        date=day,
        snapshot_dates=[day],
        **named_places,
        measured={
            "held_km2": round(km2, 2),
            "oblast": oblast.name_en,
            "iso": oblast.iso,
            "deadline": deadline.isoformat(),
        },
    )
