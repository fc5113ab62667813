"""Findings: the assessment's conclusions, the public record (incidents the caller may not see are
left out of each finding and counted)."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from truce.api.deps import PageParams, context, page_params, requires
from truce.api.paging import Keyset, Segment, fetch_page
from truce.api.policy import Action, Actor, Resource
from truce.api.problems import not_found
from truce.api.responses import FastJSON, ok
from truce.api.schemas.common import Page
from truce.api.schemas.records import FindingOut
from truce.api.views import present_finding, visible_incident_ids
from truce.model import FindingStatus
from truce.store.schema import findings

router = APIRouter(prefix="/findings", tags=["findings"])
# Undated findings first, then by date (ix_findings_date_id); ids break ties.
BY_DATE = Keyset(
    (
        Segment((findings.c.id,), where=findings.c.date.is_(None)),
        Segment((findings.c.date, findings.c.id), where=findings.c.date.is_not(None)),
    )
)


def present_findings(conn, actor: Actor, bodies: list[dict]) -> list[dict]:  # noqa: ANN001
    visible = None
    if not actor.is_mission:
        visible = visible_incident_ids(conn, actor, (i for b in bodies for i in b.get("incident_ids", [])))
    return [present_finding(b, visible) for b in bodies]


@router.get(
    "", response_model=None, responses={200: {"model": Page[FindingOut]}}, summary="Findings, by date"
)
def list_findings(
    request: Request,
    actor: Actor = Depends(requires(Action.read, Resource.findings)),
    page: PageParams = Depends(page_params),
    agreement: str | None = Query(None, max_length=200),
    provision: str | None = Query(None, max_length=200),
    status: FindingStatus | None = None,
    party: str | None = Query(None, max_length=20),
) -> FastJSON:
    query = select(findings.c.body)
    for column, value in (
        (findings.c.agreement_id, agreement),
        (findings.c.provision_id, provision),
        (findings.c.status, status.value if status else None),
        (findings.c.party, party),
    ):
        if value is not None:
            query = query.where(column == value)
    with context(request).workspace.engine.connect() as conn:
        rows, paged = fetch_page(conn, request, query, BY_DATE, page)
        items = present_findings(conn, actor, [json.loads(r.body) for r in rows])
    return ok(page.envelope(items, paged))


@router.get(
    "/{finding_id}", response_model=None, responses={200: {"model": FindingOut}}, summary="One finding"
)
def get_finding(
    request: Request, finding_id: str, actor: Actor = Depends(requires(Action.read, Resource.findings))
) -> FastJSON:
    with context(request).workspace.engine.connect() as conn:
        body = conn.execute(select(findings.c.body).where(findings.c.id == finding_id)).scalar()
        if body is None:
            raise not_found("finding")
        return ok(present_findings(conn, actor, [json.loads(body)])[0])
