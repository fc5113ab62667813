"""Which incidents lie inside which zone: shapely on the evidence's coordinate arrays (any
evidence), or on PostgreSQL a PostGIS query on the stored incidents (GiST index on their geometry).
Both leave out a point on a zone's edge, and both see the same doubles (the store's geometry column
is generated from lon/lat; a zone is sent as WKB), so they select the same incidents."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from sqlalchemy import Connection

from truce.assess.evidence import Evidence
from truce.geo.zones import Zone, points_in_zones
from truce.store.spatial import incident_ids_in_area

__all__ = ["ZoneJoin", "zone_join_in_memory", "zone_join_in_postgis"]

# Zones and the evidence -> for each zone id, a mask over the evidence: strictly inside the zone.
ZoneJoin = Callable[[Sequence[Zone], Evidence], Mapping[str, np.ndarray]]


def zone_join_in_memory(zones: Sequence[Zone], evidence: Evidence) -> Mapping[str, np.ndarray]:
    return points_in_zones(zones, evidence.lon, evidence.lat)


def zone_join_in_postgis(conn: Connection) -> ZoneJoin:
    """The join done by PostGIS, for evidence read from `conn`'s store in the same snapshot (all of
    it, or a part: an incident the evidence leaves out is not in any mask)."""
    seen: list = [None, {}]  # the last evidence joined, and its rows by incident id

    def join(zones: Sequence[Zone], evidence: Evidence) -> Mapping[str, np.ndarray]:
        if seen[0] is not evidence:
            seen[:] = [evidence, {key: i for i, key in enumerate(evidence.id)}]
        where = seen[1]
        masks = {}
        for zone in zones:
            rows = [where[key] for key in incident_ids_in_area(conn, zone.geometry) if key in where]
            mask = np.zeros(len(evidence), dtype=bool)
            mask[rows] = True
            masks[zone.id] = mask
        return masks

    return join
