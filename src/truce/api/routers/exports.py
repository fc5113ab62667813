"""Exports of what the caller may see: GeoJSON, CSV, ACLED CSV or GeoPackage, capped in size, cut
by dates and by the dashboard's filters (party, types, claim status, zone), with the log checkpoint
they can be checked against (inside GeoJSON, and in a header for every format)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Literal

import shapely
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from truce.api.context import ApiContext
from truce.api.deps import context, requires
from truce.api.geodata import load_agreement_row, ruled_zones
from truce.api.policy import Action, Actor, Resource
from truce.api.problems import ProblemError, bad_request
from truce.api.releases import as_incidents
from truce.api.routers.findings import present_findings
from truce.api.schemas.common import Day
from truce.api.views import count, incident_select, present_incidents
from truce.model import ClaimStatus, IncidentType
from truce.publish.exports import FORMATS_WITH_FINDINGS, export
from truce.store.records import findings_between, incidents_between
from truce.store.schema import findings, incidents

router = APIRouter(prefix="/exports", tags=["exports"])
MEDIA = {
    "geojson": ("application/geo+json", "geojson"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "acled": ("text/csv; charset=utf-8", "csv"),
    "gpkg": ("application/geopackage+sqlite3", "gpkg"),
}


@router.get(
    "/{fmt}",
    response_class=Response,
    responses={200: {"content": {m: {} for m, _ in MEDIA.values()}}},
    summary="Incidents (and findings) the caller may see, as a file",
)
def export_file(
    request: Request,
    fmt: Literal["geojson", "csv", "acled", "gpkg"],
    since: Day | None = None,
    until: Day | None = None,
    with_findings: bool = Query(True, alias="findings"),
    party: str | None = Query(None, max_length=100, description="the alleged party; `unattributed`: none"),
    types: list[IncidentType] = Query([], alias="type", max_length=50, description="incident types"),
    status: ClaimStatus | None = Query(None, description="claim status"),
    zone: str | None = Query(None, max_length=200, description="a zone of `agreement`, as drafted"),
    agreement: str | None = Query(None, max_length=200),
    actor: Actor = Depends(requires(Action.read, Resource.exports)),
) -> Response:
    ctx = context(request)
    chosen = incident_select(actor).add_columns(incidents.c.lon, incidents.c.lat)
    query = _filtered(incidents_between(chosen, since, until), party, types, status)
    inside = _zone_test(ctx, agreement, zone)
    found_query = None
    if with_findings and fmt in FORMATS_WITH_FINDINGS:
        found_query = findings_between(select(findings.c.body), since, until)
    with ctx.workspace.engine.connect() as conn:
        matched = count(conn, query) + (count(conn, found_query) if found_query is not None else 0)
        if matched > ctx.settings.max_export_records:
            raise ProblemError(
                413,
                f"{matched} records match; an export holds at most "
                f"{ctx.settings.max_export_records}: narrow it with since/until (or findings=false)",
                kind="export-too-large",
            )
        rows = conn.execute(query.order_by(incidents.c.t_start, incidents.c.id)).all()
        if inside is not None:
            rows = [r for r in rows if r.lon is not None and inside(r.lon, r.lat)]
        items = as_incidents(present_incidents(conn, actor, rows))
        found = None
        if found_query is not None:
            bodies = [json.loads(b) for (b,) in conn.execute(found_query.order_by(findings.c.id))]
            bodies = [b for b in bodies if _finding_matches(b, party, zone)]
            found = present_findings(conn, actor, bodies)
    checkpoint = ctx.log.info().get("signedTreeHead")  # the latest signed one: a GET writes nothing
    media, suffix = MEDIA[fmt]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{suffix}"
        export(fmt, items, path, findings=found, checkpoint=checkpoint)
        data = path.read_bytes()
    name = f"truce-{fmt}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.{suffix}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if checkpoint:
        headers["Truce-Log-Checkpoint"] = base64.b64encode(checkpoint.encode()).decode()
    return Response(data, media_type=media, headers=headers)


def _filtered(query, party: str | None, types: list[IncidentType], status: ClaimStatus | None):  # noqa: ANN001,ANN202
    if party == "unattributed":
        query = query.where(incidents.c.actor.is_(None))
    elif party:
        query = query.where(incidents.c.actor == party)
    if types:
        query = query.where(incidents.c.type.in_([t.value for t in types]))
    if status is not None:
        query = query.where(incidents.c.status == status.value)
    return query


def _zone_test(ctx: ApiContext, agreement: str | None, zone: str | None):  # noqa: ANN202
    """A point test for the drafted zone `zone` of `agreement` (None without a zone filter)."""
    if zone is None:
        return None
    if agreement is None:
        raise bad_request("zone needs agreement: the zone of which agreement?")
    ruled = {rz.zone.id: rz.zone for rz in ruled_zones(ctx, load_agreement_row(ctx, agreement))}
    if zone not in ruled:
        raise bad_request(f"zone={zone[:60]!r}: no such zone of {agreement[:60]}")
    prepared = ruled[zone].prepared
    return lambda lon, lat: bool(shapely.intersects_xy(prepared, lon, lat))


def _finding_matches(body: dict, party: str | None, zone: str | None) -> bool:
    if party and (body.get("party") or "unattributed") != party:
        return False
    return not zone or body.get("zone_id") == zone
