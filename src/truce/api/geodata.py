"""Agreements, zones, contact lines and territorial change for the API, computed from the workspace
and cached by the hash of what they are drawn from (drawing a zone or a line takes about a second)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import shapely
from sqlalchemy import select

from truce.agreement.loader import parse_agreement
from truce.agreement.resolve import resolve
from truce.api.context import ApiContext
from truce.api.problems import ProblemError, not_found
from truce.assess.snapshots import SnapshotIndex, snapshot_from_row
from truce.assess.zones import RuledZone, agreement_zones
from truce.geo.contactline import contact_line
from truce.geo.territory import territorial_change
from truce.store.records import stored_snapshot
from truce.store.schema import agreements, control_snapshots

__all__ = [
    "StoredAgreement",
    "contact_line_feature",
    "load_agreement_row",
    "snapshot_days",
    "stored_agreements",
    "territory_change",
    "zone_features",
]

SIMPLIFY_DEG = 0.0005  # ~50 m: lines and zones for display, not for measuring


@dataclass(frozen=True)
class StoredAgreement:
    id: str
    version: str
    sha256: str
    loaded_at: str
    agreement: Any  # truce.agreement.model.Agreement, resolved


def stored_agreements(ctx: ApiContext) -> list[dict]:
    with ctx.workspace.engine.connect() as conn:
        rows = conn.execute(
            select(
                agreements.c.id, agreements.c.version, agreements.c.sha256, agreements.c.loaded_at
            ).order_by(agreements.c.id)
        ).mappings()
        return [dict(r) for r in rows]


def load_agreement_row(ctx: ApiContext, agreement_id: str) -> StoredAgreement:
    with ctx.workspace.engine.connect() as conn:
        row = conn.execute(select(agreements).where(agreements.c.id == agreement_id)).mappings().first()
    if row is None:
        raise not_found("agreement")

    def parse() -> Any:  # noqa: ANN401
        return resolve(parse_agreement(row["source_text"], f"agreement {agreement_id}"))

    parsed = ctx.memo.get(("agreement", row["sha256"]), parse)
    return StoredAgreement(row["id"], row["version"], row["sha256"], row["loaded_at"], parsed)


def _snapshot_key(ctx: ApiContext, party: str, day: dt.date) -> str:
    with ctx.workspace.engine.connect() as conn:
        row = stored_snapshot(conn, day, party, on_or_before=True)
    return row["sha256"] if row else "none"


def ruled_zones(ctx: ApiContext, stored: StoredAgreement) -> list[RuledZone]:
    agreement = stored.agreement
    party = agreement.reference.occupying_party
    key = ("zones", stored.sha256, _snapshot_key(ctx, party, agreement.reference.control_snapshot))

    def draw() -> list[RuledZone]:
        with ctx.workspace.engine.connect() as conn:
            index = SnapshotIndex(conn, party)
            try:
                return agreement_zones(agreement, index.on_or_before)
            except Exception as error:  # noqa: BLE001 — a UserError about missing snapshots, mostly
                raise ProblemError(
                    409,
                    f"the zones cannot be drawn: {getattr(error, 'message', 'no snapshot')}",
                    kind="no-geography",
                ) from None

    return ctx.memo.get(key, draw)


def zone_features(ctx: ApiContext, stored: StoredAgreement) -> list[dict]:
    """One GeoJSON feature per zone, valid from the agreement's effective time."""
    features = []
    for ruled in ruled_zones(ctx, stored):
        zone = ruled.zone
        geometry = shapely.simplify(zone.geometry, SIMPLIFY_DEG, preserve_topology=True)
        features.append(
            {
                "type": "Feature",
                "id": zone.id,
                "geometry": json.loads(shapely.to_geojson(geometry)),
                "properties": {
                    "zone_id": zone.id,
                    "name": zone.name,
                    "agreement_id": stored.id,
                    "provision_id": ruled.provision_id,
                    "party": zone.party,
                    "classes": list(ruled.classes),
                    "distance_km": ruled.distance_km,
                    **zone.metadata(),
                    "valid_from": stored.agreement.effective.isoformat(),
                },
                "bbox": [round(b, 6) for b in zone.bounds],
            }
        )
    return features


def snapshot_days(ctx: ApiContext, party: str = "RU") -> list[dt.date]:
    with ctx.workspace.engine.connect() as conn:
        query = select(control_snapshots.c.date).where(control_snapshots.c.party == party)
        return sorted(r[0] for r in conn.execute(query))


def contact_line_feature(ctx: ApiContext, day: dt.date, party: str = "RU") -> dict | None:
    """The contact line derived from the snapshot of exactly `day`, or None if there is none."""
    with ctx.workspace.engine.connect() as conn:
        row = stored_snapshot(conn, day, party)
    if row is None:
        return None

    def draw() -> dict:
        snapshot = snapshot_from_row(row)
        line = shapely.simplify(contact_line(snapshot), SIMPLIFY_DEG)
        return {
            "type": "Feature",
            "id": day.isoformat(),
            "geometry": json.loads(shapely.to_geojson(line)),
            "properties": {
                "date": day.isoformat(),
                "party": party,
                "source": row["source"],
                "snapshot_sha256": row["sha256"],
            },
            "bbox": [round(b, 6) for b in line.bounds],
        }

    return ctx.memo.get(("line", row["sha256"]), draw)


def territory_change(ctx: ApiContext, start: dt.date, end: dt.date, party: str) -> dict:
    rows = []
    with ctx.workspace.engine.connect() as conn:
        for day in (start, end):
            row = stored_snapshot(conn, day, party)
            if row is None:
                raise ProblemError(404, f"no control snapshot of {party} on {day}", kind="not-found")
            rows.append(row)

    def compute() -> dict:
        return territorial_change(snapshot_from_row(rows[0]), snapshot_from_row(rows[1])).to_json()

    return ctx.memo.get(("territory", rows[0]["sha256"], rows[1]["sha256"]), compute)
