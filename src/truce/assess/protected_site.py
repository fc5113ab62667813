"""`protected_site`: no forbidden activity and no forbidden forces within a radius of a site."""

from __future__ import annotations

import numpy as np

from truce.assess._findings import Found, about_incident, finding, summary_finding
from truce.assess._presence import presence_mask
from truce.assess.context import Context
from truce.assess.zones import RuledZone, provision_zones
from truce.geo.gazetteer import haversine_km
from truce.model import Finding, FindingStatus, Severity
from truce.provisions import ProtectedSiteProvision

__all__ = ["check", "concluded", "found"]


def _zone(provision: ProtectedSiteProvision, ctx: Context) -> RuledZone:
    (ruled,) = provision_zones(
        provision,
        ctx.agreement.reference.control_snapshot,
        ctx.snapshot_on,
        ctx.agreement.reference.min_part_km2,
    )
    return ruled


def found(provision: ProtectedSiteProvision, ctx: Context) -> Found:
    """Forbidden activity or forces within the radius, among the context's incidents."""
    ev = ctx.evidence
    ruled = _zone(provision, ctx)
    inside = ctx.points_in_zones([ruled.zone])[ruled.zone.id] & ctx.in_period()
    if provision.parties:
        inside &= np.isin(ev.actor, list(provision.parties)) | (ev.actor == "")
    activity = np.isin(ev.type, list(provision.forbidden.activities)) & ~np.isin(
        ev.status, ("fabricated", "denied")
    )
    forces = (
        presence_mask(ev, None, tuple(provision.forbidden.classes))
        if provision.forbidden.classes
        else np.zeros(len(ev), dtype=bool)
    )
    result = Found()
    site = provision.site
    for i in np.flatnonzero(inside & (activity | forces)):
        km = haversine_km(site.lat, site.lon, float(ev.lat[i]), float(ev.lon[i]))
        what = ev.type[i].replace("_", " ") if activity[i] else (ev.weapon_class[i] or ev.type[i])
        who = ev.actor[i] or "an unattributed party"
        rationale = (
            f"{what} by {who} {km:.1f} km from {site.name} on {ctx.local_date(ev.t_start[i])}, "
            f"inside the protected radius of {provision.radius_km:g} km."
        )
        result.add(
            (str(ev.id[i]),),
            finding(
                ctx,
                provision,
                FindingStatus.violation,
                Severity.critical,
                rationale,
                ev.id[i],
                zone_id=ruled.zone.id,
                **about_incident(ctx, i),
                measured={"distance_km": round(km, 2)},
            ),
        )
    return result


def concluded(provision: ProtectedSiteProvision, ctx: Context, whole: Found) -> list[Finding]:
    results = whole.findings
    if not results:
        site = provision.site
        results.append(
            summary_finding(
                ctx,
                provision,
                FindingStatus.compliant,
                f"No forbidden activity or forces recorded within {provision.radius_km:g} km of {site.name}.",
                zone_id=_zone(provision, ctx).zone.id,
                lon=site.lon,
                lat=site.lat,
            )
        )
    return results


def check(provision: ProtectedSiteProvision, ctx: Context) -> list[Finding]:
    return concluded(provision, ctx, found(provision, ctx))
