"""GET /incidents: the incidents the caller may see, as the caller's role may see them."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query, Request

from truce.api.deps import PageParams, context, page_params, requires
from truce.api.limits import parse_bbox
from truce.api.paging import Keyset, fetch_page
from truce.api.policy import Action, Actor, Resource
from truce.api.problems import not_found
from truce.api.responses import FastJSON, ok
from truce.api.schemas.common import Day, Page
from truce.api.schemas.incidents import IncidentMonitor, IncidentParty, IncidentPublic
from truce.api.views import in_bbox, incident_select, present_incidents
from truce.model import KYIV, ClaimStatus, IncidentType
from truce.store.schema import incidents

router = APIRouter(prefix="/incidents", tags=["incidents"])
AnyIncident = IncidentMonitor | IncidentParty | IncidentPublic
NEWEST_FIRST = Keyset.of(incidents.c.t_start, incidents.c.id, descending=True)  # ix_incidents_t_start_id


def _day_start(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(0), KYIV).timestamp())


@router.get(
    "",
    response_model=None,
    responses={200: {"model": Page[AnyIncident]}},
    summary="Incidents, newest first, with filters",
)
def list_incidents(
    request: Request,
    actor: Actor = Depends(requires(Action.read, Resource.incidents)),
    page: PageParams = Depends(page_params),
    type: IncidentType | None = None,  # noqa: A002 — the field's name
    by: str | None = Query(None, max_length=100, description="alleged actor, e.g. RU"),
    status: ClaimStatus | None = None,
    since: Day | None = Query(None, description="on or after this day (Kyiv time)"),
    until: Day | None = Query(None, description="on or before this day (Kyiv time)"),
    bbox: str | None = Query(None, description="minLon,minLat,maxLon,maxLat"),
    report_id: str | None = Query(None, max_length=40),
) -> FastJSON:
    ctx = context(request)
    query = incident_select(actor)
    if type is not None:
        query = query.where(incidents.c.type == type.value)
    if by is not None:
        query = query.where(incidents.c.actor == by)
    if status is not None:
        query = query.where(incidents.c.status == status.value)
    if since is not None:
        query = query.where(incidents.c.t_end > _day_start(since))
    if until is not None:
        query = query.where(incidents.c.t_start < _day_start(until + dt.timedelta(days=1)))
    if report_id is not None:
        query = query.where(incidents.c.report_id == report_id)
    box = parse_bbox(bbox, ctx.settings.max_bbox_deg2)
    if box is not None:
        query = query.where(in_bbox(incidents.c.lon, incidents.c.lat, box))
    with ctx.workspace.engine.connect() as conn:
        rows, paged = fetch_page(conn, request, query, NEWEST_FIRST, page)
        items = present_incidents(conn, actor, rows)
    return ok(page.envelope(items, paged))


@router.get(
    "/{incident_id}",
    response_model=None,
    responses={200: {"model": AnyIncident}},
    summary="One incident (404 if it does not exist or is not yours to see)",
)
def get_incident(
    request: Request, incident_id: str, actor: Actor = Depends(requires(Action.read, Resource.incidents))
) -> FastJSON:
    ctx = context(request)
    with ctx.workspace.engine.connect() as conn:
        row = conn.execute(incident_select(actor).where(incidents.c.id == incident_id)).first()
        if row is None:
            raise not_found("incident")
        return ok(present_incidents(conn, actor, [row])[0])
