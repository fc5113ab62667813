"""`notification`: movements of the listed classes inside the named zones need advance notice."""

from __future__ import annotations

import datetime as dt

import numpy as np

from truce.assess._findings import Found, about_incident, finding, summary_finding
from truce.assess._presence import observed_class, presence_mask
from truce.assess.context import Context
from truce.assess.zone_exclusion import zones_for
from truce.assess.zones import provision_zones
from truce.model import Finding, FindingStatus, Severity
from truce.provisions import NotificationProvision, ZoneExclusionProvision, force_class_covers

__all__ = ["check", "concluded", "found"]


def _zones(provision: NotificationProvision, ctx: Context) -> list:
    named = set(provision.zones)
    wanted = [
        p
        for p in ctx.agreement.provisions
        if p.id in named or getattr(getattr(p, "zone", None), "id", None) in named
    ]
    day = ctx.agreement.reference.control_snapshot
    return [
        rz
        for p in wanted
        for rz in (
            zones_for(p, ctx)  # drawn once per run, shared with the zone's own check
            if isinstance(p, ZoneExclusionProvision)
            else provision_zones(p, day, ctx.snapshot_on, ctx.agreement.reference.min_part_km2)
        )
    ]


def _notified(
    provision: NotificationProvision,
    ctx: Context,
    party: str,
    zone_ids: set[str],
    moment: dt.datetime,
    seen_class: str | None,
) -> bool:
    """A notice by the moving party, for this zone and time, given early enough, covering no longer
    than the terms allow, and naming a class that covers what moved (troops do not excuse tanks)."""
    need = dt.timedelta(hours=provision.advance_hours)
    longest = dt.timedelta(hours=provision.max_notice_hours)
    return any(
        n.party == party
        and n.zone in zone_ids
        and n.starts <= moment <= n.ends
        and n.starts - n.given_at >= need
        and n.ends - n.starts <= longest
        and seen_class is not None
        and any(force_class_covers(c, seen_class) for c in n.classes)
        for n in ctx.declarations.notices
    )


def found(provision: NotificationProvision, ctx: Context) -> Found:
    """Movements inside the named zones with no notice that covers them, among the context's incidents."""
    ev = ctx.evidence
    ruled = _zones(provision, ctx)
    masks = ctx.points_in_zones([rz.zone for rz in ruled])
    moving = (ev.type == "movement") & presence_mask(ev, None, tuple(provision.classes)) & ctx.in_period()
    if provision.parties:
        moving &= np.isin(ev.actor, list(provision.parties))
    result = Found()
    for position, rz in enumerate(ruled):
        for i in np.flatnonzero(masks[rz.zone.id] & moving):
            moment = dt.datetime.fromtimestamp(int(ev.t_start[i]), dt.UTC)
            seen = observed_class(str(ev.type[i]), str(ev.weapon_class[i]))
            if _notified(provision, ctx, ev.actor[i], {rz.zone.id, rz.provision_id}, moment, seen):
                continue
            rationale = (
                f"Movement of {ev.weapon_class[i] or 'forces'} by {ev.actor[i]} inside "
                f"{rz.zone.name} on {ctx.local_date(ev.t_start[i])} without the "
                f"{provision.advance_hours:g} h advance notice the agreement requires."
            )
            result.add(
                (position, str(ev.id[i])),
                finding(
                    ctx,
                    provision,
                    FindingStatus.violation,
                    Severity.medium,
                    rationale,
                    rz.zone.id,
                    ev.id[i],
                    zone_id=rz.zone.id,
                    **about_incident(ctx, i),
                ),
            )
    return result


def concluded(provision: NotificationProvision, ctx: Context, whole: Found) -> list[Finding]:
    results = whole.findings
    if not results:
        results.append(
            summary_finding(
                ctx,
                provision,
                FindingStatus.compliant,
                f"No un-notified movement recorded in {', '.join(provision.zones)}.",
            )
        )
    return results


def check(provision: NotificationProvision, ctx: Context) -> list[Finding]:
    return concluded(provision, ctx, found(provision, ctx))
