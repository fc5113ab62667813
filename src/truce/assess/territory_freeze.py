"""`territory_freeze`: control of the listed oblasts must not change after the effective time.
Each day's snapshot is compared with the previous one; a gain beyond the tolerance is a finding
naming the party, the oblast, the km² and the places that changed hands."""

from __future__ import annotations

from truce.assess._findings import Found, finding, summary_finding
from truce.assess.context import Context
from truce.assess.places import places_in
from truce.geo.admin import lookup_oblast, oblasts_geometry
from truce.geo.control import ControlSnapshot
from truce.geo.territory import territorial_change
from truce.model import KYIV, Finding, FindingStatus, Severity
from truce.provisions import TerritoryFreezeProvision

__all__ = ["check", "concluded", "found"]


def _severity(km2: float) -> Severity:
    return Severity.high if km2 >= 10 else Severity.medium if km2 >= 1 else Severity.low


def _compared(ctx: Context) -> tuple[ControlSnapshot | None, list]:
    """The snapshot at the effective time and the later snapshot days each compared with the one before."""
    baseline = ctx.snapshot_at_effective()
    dates = [d for d in ctx.snapshot_dates_after_effective() if baseline and d > baseline.date]
    return baseline, dates


def found(provision: TerritoryFreezeProvision, ctx: Context) -> Found:
    """Gains beyond the tolerance on each snapshot day (of the part's days, if a part is given)."""
    baseline, dates = _compared(ctx)
    result = Found()
    if baseline is None or not dates:
        return result
    isos = {lookup_oblast(name).iso for name in provision.oblasts}
    wanted = ctx.part.days
    for position, day in enumerate(dates):
        if wanted is not None and day not in wanted:
            continue
        before = baseline if position == 0 else ctx.snapshot_known_on(dates[position - 1])
        items = _day_findings(provision, ctx, before, ctx.snapshot_known_on(day), isos)
        for order, item in enumerate(items):
            result.add((position, order), item)
    return result


def concluded(provision: TerritoryFreezeProvision, ctx: Context, whole: Found) -> list[Finding]:
    start = ctx.effective.astimezone(KYIV).date()
    baseline, dates = _compared(ctx)
    if baseline is None or not dates:
        return [
            summary_finding(
                ctx,
                provision,
                FindingStatus.not_assessable,
                f"No control snapshots from the day before {start} to {ctx.last_known_day} to compare.",
            )
        ]
    results = whole.findings
    if not results:
        last = ctx.snapshot_known_on(dates[-1])
        total = territorial_change(baseline, last)
        results.append(
            summary_finding(
                ctx,
                provision,
                FindingStatus.compliant,
                f"Control of {', '.join(provision.oblasts)} changed by no more than "
                f"{provision.tolerance_km2:g} km² per oblast per day "
                f"between {baseline.date} and {last.date}.",
                snapshot_dates=[baseline.date, last.date],
                measured={
                    f"net_km2_{p}": round(total.net_km2(p, provision.oblasts), 2)
                    for p in (total.party, total.counterparty)
                },
            )
        )
    return results


def check(provision: TerritoryFreezeProvision, ctx: Context) -> list[Finding]:
    return concluded(provision, ctx, found(provision, ctx))


def _day_findings(
    provision: TerritoryFreezeProvision,
    ctx: Context,
    before: ControlSnapshot,
    after: ControlSnapshot,
    isos: set[str],
) -> list[Finding]:
    change = territorial_change(before, after)
    results = []
    for row in change.by_oblast:
        bound = not provision.parties or row.party in provision.parties
        if row.iso not in isos or not bound or row.gained_km2 <= provision.tolerance_km2:
            continue
        gained = change.gained if row.party == change.party else change.lost
        named_places = places_in(gained.intersection(oblasts_geometry([row.oblast])))
        places = named_places["places"]
        named = f"; places that changed hands: {', '.join(places)}" if places else ""
        rationale = (
            f"{row.party} gained {row.gained_km2:,.1f} km² in {row.oblast} between {before.date} "
            f"and {after.date}, beyond the {provision.tolerance_km2:g} km² allowed for map "
            f"noise{named}."
        )
        results.append(
            finding(
                ctx,
                provision,
                FindingStatus.violation,
                _severity(row.gained_km2),
                rationale,
                row.iso,
                after.date,
                row.party,
                party=row.party,
                date=after.date,
                snapshot_dates=[before.date, after.date],
                **named_places,
                measured={
                    "gained_km2": round(row.gained_km2, 2),
                    "lost_km2": round(row.lost_km2, 2),
                    "oblast": row.oblast,
                    "iso": row.iso,
                    "from": before.date.isoformat(),
                    "tolerance_km2": provision.tolerance_km2,
                },
            )
        )
    return results
