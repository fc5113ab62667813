"""Control snapshots as the assessment sees them: read from the store, parsed once, cached."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import shapely
from sqlalchemy import Connection

from truce.geo.control import ControlSnapshot
from truce.geo.projection import area_km2
from truce.store.records import put_snapshot, snapshot_dates, stored_snapshot

__all__ = ["SnapshotIndex", "save_snapshot", "snapshot_from_row"]


def save_snapshot(conn: Connection, snapshot: ControlSnapshot) -> dict:
    """Store a snapshot (the inverse of snapshot_from_row); returns what was stored, for display."""
    area = area_km2(snapshot.geometry)
    changed = put_snapshot(
        conn,
        snapshot.date,
        snapshot.party,
        snapshot.source,
        snapshot.sha256,
        area,
        shapely.to_geojson(snapshot.geometry),
    )
    return {
        "date": snapshot.date.isoformat(),
        "party": snapshot.party,
        "area_km2": round(area, 1),
        "changed": changed,
        "notes": list(snapshot.notes),
    }


def snapshot_from_row(row: dict) -> ControlSnapshot:
    geometry = shapely.from_geojson(row["geometry"])
    shapely.prepare(geometry)
    return ControlSnapshot(row["date"], row["party"], geometry, row["source"], row["sha256"])


class SnapshotIndex:
    """The occupying party's snapshots in a workspace, by date."""

    def __init__(self, conn: Connection, party: str) -> None:
        self.party = party
        self.dates: list[dt.date] = [d for d in snapshot_dates(conn)]
        self._conn = conn
        self.get = lru_cache(maxsize=64)(self._load)

    def _load(self, when: dt.date) -> ControlSnapshot | None:
        row = stored_snapshot(self._conn, when, self.party, on_or_before=True)
        return snapshot_from_row(row) if row else None

    def on_or_before(self, when: dt.date) -> ControlSnapshot | None:
        return self.get(when)

    def between(self, start: dt.date, end: dt.date) -> list[dt.date]:
        return [d for d in self.dates if start <= d <= end]
