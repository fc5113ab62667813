"""Exports of what the caller may see: GeoJSON, CSV, ACLED CSV or GeoPackage, capped in size."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from truce.api.deps import context, requires
from truce.api.policy import Action, Actor, Resource
from truce.api.problems import ProblemError
from truce.api.releases import as_incidents
from truce.api.routers.findings import present_findings
from truce.api.schemas.common import Day
from truce.api.views import count, incident_select, present_incidents
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
    actor: Actor = Depends(requires(Action.read, Resource.exports)),
) -> Response:
    ctx = context(request)
    query = incidents_between(incident_select(actor), since, until)
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
        items = as_incidents(present_incidents(conn, actor, rows))
        found = None
        if found_query is not None:
            bodies = [json.loads(b) for (b,) in conn.execute(found_query.order_by(findings.c.id))]
            found = present_findings(conn, actor, bodies)
    media, suffix = MEDIA[fmt]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{suffix}"
        export(fmt, items, path, findings=found)
        data = path.read_bytes()
    name = f"truce-{fmt}-{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%SZ}.{suffix}"
    return Response(data, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})
