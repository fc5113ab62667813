"""`zone_exclusion`: a party's forces of the listed classes must stay out of its zone (N km from the
line on its own side, or an area such as the free economic zone)."""

from __future__ import annotations

import numpy as np

from truce.assess._findings import Found, about_incident, finding, fmt_km, summary_finding
from truce.assess._presence import presence_mask
from truce.assess.context import Context
from truce.assess.zones import RuledZone, provision_zones
from truce.geo.zones import distance_to_line_km
from truce.model import Finding, FindingStatus, Severity
from truce.provisions import ZoneExclusionProvision, deadline_at

__all__ = ["check", "concluded", "found", "zones_for"]


def zones_for(provision: ZoneExclusionProvision, ctx: Context) -> list[RuledZone]:
    key = f"zones:{provision.id}"
    if key not in ctx.cache:
        reference = ctx.agreement.reference
        ctx.cache[key] = provision_zones(
            provision, reference.control_snapshot, ctx.snapshot_on, reference.min_part_km2
        )
    return ctx.cache[key]


def inside_counts(ruled: list[RuledZone], ctx: Context, start: int) -> tuple[dict[str, np.ndarray], dict]:
    """Masks of incidents inside each zone during the period, and how many there are."""
    period = ctx.in_period(start)
    masks = ctx.points_in_zones([rz.zone for rz in ruled])
    masks = {zone_id: mask & period for zone_id, mask in masks.items()}
    return masks, {zone_id: int(mask.sum()) for zone_id, mask in masks.items()}


def found(provision: ZoneExclusionProvision, ctx: Context) -> Found:
    """Forces of the restricted classes inside each zone among the context's incidents, and how many
    incidents of any kind are inside each zone (counts add up across parts)."""
    applies = deadline_at(provision.applies_from, ctx.effective) if provision.applies_from else ctx.effective
    ruled = zones_for(provision, ctx)
    masks, counts = inside_counts(ruled, ctx, int(applies.timestamp()))
    result = Found(counts=counts, facts={"zones": len(ruled)})
    for position, rz in enumerate(ruled):
        hits = np.flatnonzero(masks[rz.zone.id] & presence_mask(ctx.evidence, rz.zone.party, rz.classes))
        for i, item in zip(hits, _violations(provision, ctx, rz, hits), strict=True):
            result.add((position, str(ctx.evidence.id[i])), item)
    return result


def concluded(provision: ZoneExclusionProvision, ctx: Context, whole: Found) -> list[Finding]:
    results = whole.findings
    if not results:
        counts = whole.counts
        results.append(
            summary_finding(
                ctx,
                provision,
                FindingStatus.compliant,
                f"No forces of the restricted classes observed in {provision.zone.name} "
                f"({whole.facts['zones']} zones; {sum(counts.values())} incidents of any kind inside them).",
                measured={f"inside_{zone_id}": n for zone_id, n in counts.items()},
            )
        )
    return results


def check(provision: ZoneExclusionProvision, ctx: Context) -> list[Finding]:
    return concluded(provision, ctx, found(provision, ctx))


def _violations(
    provision: ZoneExclusionProvision, ctx: Context, rz: RuledZone, hits: np.ndarray
) -> list[Finding]:
    ev = ctx.evidence
    distances = (
        distance_to_line_km(rz.line, ev.lon[hits], ev.lat[hits])
        if rz.line is not None
        else np.full(len(hits), np.nan)
    )
    results = []
    for i, km in zip(hits, distances, strict=True):
        what = ev.weapon_class[i] or ev.type[i]
        where = f"{fmt_km(km)} from the contact line" if not np.isnan(km) else "inside the zone"
        rule = (
            f"where {', '.join(rz.classes)} must be at least {rz.distance_km:g} km away"
            if rz.distance_km
            else f"where {', '.join(rz.classes)} of {rz.zone.party} may not be"
        )
        rationale = (
            f"{what.replace('_', ' ')} of {ev.actor[i]} observed {where} inside {rz.zone.name} "
            f"on {ctx.local_date(ev.t_start[i])}, {rule}."
        )
        status = (
            FindingStatus.violation
            if ev.status[i] in ("confirmed", "reported")
            else FindingStatus.possible_violation
        )
        results.append(
            finding(
                ctx,
                provision,
                status,
                Severity.high,
                rationale,
                rz.zone.id,
                ev.id[i],
                zone_id=rz.zone.id,
                **about_incident(ctx, i),
                measured={
                    "distance_km": None if np.isnan(km) else round(float(km), 2),
                    "required_km": rz.distance_km,
                },
            )
        )
    return results
