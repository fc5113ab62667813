"""The zones an agreement draws, from its provisions and the reference control snapshots.
Used by the assessment and by `truce agreement zones`; zones are fixed at the reference snapshot
(the line as it stood at signature), not redrawn as the front moves."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import shapely

from truce.geo.admin import oblasts_geometry
from truce.geo.contactline import contact_line
from truce.geo.control import ControlSnapshot, controlled_area
from truce.geo.slivers import LeftOut, snapshot_without_specks, without_small_parts
from truce.geo.zones import Zone, circle, controlled_part, one_sided_buffer
from truce.provisions import ProtectedSiteProvision, ZoneExclusionProvision

__all__ = ["RuledZone", "agreement_zones", "provision_zones", "zone_ids"]

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


def _map_pieces_within(pieces: tuple[LeftOut, ...], clip_oblasts: list[str] | None) -> list[LeftOut]:
    # The map's specks and enclaves a zone's reader should hear about: those in its oblasts.
    if not clip_oblasts:
        return list(pieces)
    area = oblasts_geometry(clip_oblasts)
    return [p for p in pieces if shapely.intersects_xy(area, p.lon, p.lat)]


def _zone_id(provision: ZoneExclusionProvision, party: str, distance_km: float | None) -> tuple[str, str]:
    """(id, name suffix) of the zone a rule draws on one party's side: fez-pullback-ua-10km."""
    suffix = f"{party}-{distance_km:g}km" if distance_km else party
    return f"{provision.zone.id}-{suffix}".lower(), suffix


def zone_ids(agreement: object) -> list[str]:
    """The ids of the zones a (resolved) agreement draws, without drawing them."""
    ids = []
    for provision in agreement.provisions:
        if isinstance(provision, ZoneExclusionProvision):
            ids += [
                _zone_id(provision, p, r.distance_km)[0]
                for p, rules in provision.sides.items()
                for r in rules
            ]
        elif isinstance(provision, ProtectedSiteProvision):
            ids.append(provision.id)
    return ids


def _exclusion_zones(
    provision: ZoneExclusionProvision, reference_day: dt.date, snapshot_for: SnapshotFor, min_part_km2: float
) -> list[RuledZone]:
    ref = provision.reference_line
    zones = []
    for party, rules in provision.sides.items():
        own = (ref.per_party or {}).get(party)
        day = own.snapshot if own else (ref.snapshot or reference_day)
        # The front as the terms mean it: specks and enclaves of the map below the stated size are
        # not part of it, so they draw no ring of "line" and no zone part around themselves.
        snapshot, specks = snapshot_without_specks(_snapshot(snapshot_for, day), min_part_km2)
        line = contact_line(snapshot)
        for rule in rules:
            zone_id, suffix = _zone_id(provision, party, rule.distance_km)
            if provision.mode == "area":
                geometry = controlled_part(
                    provision.clip_oblasts, controlled_area(snapshot, provision.area_of)
                )
            else:
                geometry = one_sided_buffer(
                    line, controlled_area(snapshot, party), rule.distance_km, provision.clip_oblasts
                )
            geometry, slivers = without_small_parts(geometry, min_part_km2)
            left_out = (*_map_pieces_within(specks, provision.clip_oblasts), *slivers)
            zone = Zone(zone_id, f"{provision.zone.name} ({suffix})", geometry, party, left_out)
            zones.append(RuledZone(zone, provision.id, tuple(rule.classes), rule.distance_km, line))
    return zones


def _site_zone(provision: ProtectedSiteProvision) -> list[RuledZone]:
    site = provision.site
    zone = Zone(
        provision.id,
        f"{site.name} ({provision.radius_km:g} km)",
        shapely.MultiPolygon([circle(site.lon, site.lat, provision.radius_km)]),
        None,
    )
    return [RuledZone(zone, provision.id, tuple(provision.forbidden.classes), provision.radius_km)]


def provision_zones(
    provision: object,
    reference_day: dt.date,
    snapshot_for: SnapshotFor,
    min_part_km2: float,
) -> list[RuledZone]:
    """The zones one provision draws (none for kinds that draw no zone); parts below min_part_km2
    (the terms' reference.min_part_km2) are left out and listed in each zone's left_out."""
    if isinstance(provision, ZoneExclusionProvision):
        return _exclusion_zones(provision, reference_day, snapshot_for, float(min_part_km2))
    if isinstance(provision, ProtectedSiteProvision):
        return _site_zone(provision)
    return []


def agreement_zones(agreement: object, snapshot_for: SnapshotFor) -> list[RuledZone]:
    """Every zone of a (resolved) agreement, in provision order."""
    reference = agreement.reference
    return [
        rz
        for p in agreement.provisions
        for rz in provision_zones(p, reference.control_snapshot, snapshot_for, reference.min_part_km2)
    ]
