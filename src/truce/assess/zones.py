"""The zones an agreement draws, from its provisions and the reference control snapshots.
Used by the assessment and by `truce agreement zones`; zones are fixed at the reference snapshot
(the line as it stood at signature), not redrawn as the front moves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from truce.geo.contactline import contact_line
from truce.geo.control import ControlSnapshot, controlled_area
from truce.geo.zones import Zone, circle, controlled_part, one_sided_buffer
from truce.provisions import ProtectedSiteProvision, ZoneExclusionProvision

__all__ = ["RuledZone", "agreement_zones", "provision_zones"]

SnapshotFor = Callable[[dt.date], ControlSnapshot | None]


@dataclass(frozen=True)
class RuledZone:
    """A zone and the force classes its rule keeps out of it (for `party`'s forces)."""

    zone: Zone
    provision_id: str
    classes: tuple[str, ...]
    distance_km: float | None  # the pull-back distance a rationale quotes; None for area zones
    line: object = None  # the reference line (lon/lat), for distances in rationales


def _snapshot(snapshot_for: SnapshotFor, day: dt.date) -> ControlSnapshot:
    snapshot = snapshot_for(day)
    if snapshot is None:
        from truce.errors import UserError

        raise UserError(
            None, None, f"no control snapshot on or before {day}: import one with `truce geo import-control`"
        )
    return snapshot


def _exclusion_zones(
    provision: ZoneExclusionProvision, reference_day: dt.date, snapshot_for: SnapshotFor
) -> list[RuledZone]:
    ref = provision.reference_line
    zones = []
    for party, rules in provision.sides.items():
        own = (ref.per_party or {}).get(party)
        day = own.snapshot if own else (ref.snapshot or reference_day)
        snapshot = _snapshot(snapshot_for, day)
        line = contact_line(snapshot)
        for rule in rules:
            suffix = f"{party}-{rule.distance_km:g}km" if rule.distance_km else party
            zone_id = f"{provision.zone.id}-{suffix}".lower()
            if provision.mode == "area":
                area = controlled_part(provision.clip_oblasts, controlled_area(snapshot, provision.area_of))
                geometry = area
            else:
                geometry = one_sided_buffer(
                    line, controlled_area(snapshot, party), rule.distance_km, provision.clip_oblasts
                )
            zone = Zone(zone_id, f"{provision.zone.name} ({suffix})", geometry, party)
            zones.append(RuledZone(zone, provision.id, tuple(rule.classes), rule.distance_km, line))
    return zones


def _site_zone(provision: ProtectedSiteProvision) -> list[RuledZone]:
    site = provision.site
    zone = Zone(
        provision.id,
        f"{site.name} ({provision.radius_km:g} km)",
        circle(site.lon, site.lat, provision.radius_km),
        None,
    )
    return [RuledZone(zone, provision.id, tuple(provision.forbidden.classes), provision.radius_km)]


def provision_zones(provision: object, reference_day: dt.date, snapshot_for: SnapshotFor) -> list[RuledZone]:
    """The zones one provision draws (none for kinds that draw no zone)."""
    if isinstance(provision, ZoneExclusionProvision):
        return _exclusion_zones(provision, reference_day, snapshot_for)
    if isinstance(provision, ProtectedSiteProvision):
        return _site_zone(provision)
    return []


def agreement_zones(agreement: object, snapshot_for: SnapshotFor) -> list[RuledZone]:
    """Every zone of a (resolved) agreement, in provision order."""
    day = agreement.reference.control_snapshot
    return [rz for p in agreement.provisions for rz in provision_zones(p, day, snapshot_for)]
