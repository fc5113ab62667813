"""Cases: open one (a party's allegation is protected), move it along its workflow, read it as
the caller's role may see it. A decision that fires a trigger makes the guarantors' alert in the
same transaction; its webhook delivery starts once the transaction is committed."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select

from truce.api.alerts import fire_triggers
from truce.api.deps import PageParams, context, page_params, requires, writing
from truce.api.paging import Keyset, fetch_page
from truce.api.policy import Action, Actor, Resource, Role
from truce.api.problems import conflict, forbidden, not_found, unprocessable
from truce.api.responses import ok
from truce.api.schemas.cases import (
    Assign,
    Attribute,
    CaseIn,
    CaseMonitor,
    CaseParty,
    CasePublic,
    Decide,
    Refer,
    Reopen,
    Transition,
)
from truce.api.schemas.common import Page
from truce.api.views import case_visibility, present_case, visible_incident_ids
from truce.store.verify_tables import cases
from truce.verify import store as verify_store
from truce.verify.cases import Case

router = APIRouter(prefix="/cases", tags=["cases"])
AnyCase = CaseMonitor | CaseParty | CasePublic


@router.get(
    "", response_model=None, responses={200: {"model": Page[AnyCase]}}, summary="Cases the caller may see"
)
def list_cases(
    request: Request,
    actor: Actor = Depends(requires(Action.read, Resource.cases)),
    page: PageParams = Depends(page_params),
    state: str | None = Query(None, max_length=30),
    zone: str | None = Query(None, max_length=200),
) -> dict:
    query = select(cases.c.body).where(case_visibility(actor))
    if state:
        query = query.where(cases.c.state == state)
    if zone:
        query = query.where(cases.c.zone == zone)
    with context(request).workspace.engine.connect() as conn:
        rows, paged = fetch_page(conn, request, query, Keyset.of(cases.c.id), page)
        items = [present_case(conn, actor, json.loads(r.body)) for r in rows]
    return ok(page.envelope(items, paged))


def _visible_case(conn, actor: Actor, case_id: str) -> dict:  # noqa: ANN001
    body = conn.execute(select(cases.c.body).where(cases.c.id == case_id, case_visibility(actor))).scalar()
    if body is None:
        raise not_found("case")
    return json.loads(body)


@router.get(
    "/{case_id}",
    response_model=None,
    responses={200: {"model": AnyCase}},
    summary="One case (404 if it does not exist or is not yours to see)",
)
def get_case(
    request: Request, case_id: str, actor: Actor = Depends(requires(Action.read, Resource.cases))
) -> AnyCase:
    with context(request).workspace.engine.connect() as conn:
        body = _visible_case(conn, actor, case_id)
        detail = verify_store.show_case(conn, case_id) if actor.is_mission else None
        return present_case(conn, actor, body, detail=detail)


@router.post(
    "",
    response_model=None,
    status_code=201,
    responses={201: {"model": AnyCase}},
    summary="Open a case (file an allegation) on incidents the caller can see",
)
def open_case(
    request: Request, payload: CaseIn, actor: Actor = Depends(requires(Action.create, Resource.cases))
) -> JSONResponse:
    if actor.role is Role.party_liaison:
        if payload.alleged_by is not None or payload.protected is not None:
            raise forbidden("a party's cases are alleged by the party and protected: the server sets both")
        if payload.at is not None:  # a party may not date its allegation before it reached the mission
            raise forbidden("a party's allegation is dated when it reaches the mission; `at` is for staff")
        alleged_by, protected = f"party:{actor.party}", True
    else:
        alleged_by, protected = payload.alleged_by or actor.label, bool(payload.protected)
    with writing(request, actor, Resource.cases, "create") as (conn, note):
        seen = visible_incident_ids(conn, actor, payload.incident_ids)
        unknown = [i for i in payload.incident_ids if i not in seen]
        if unknown:  # the same words whether it is missing or someone else's
            raise unprocessable(f"no such incident: {unknown[0]}")
        case = verify_store.open_case(
            conn,
            payload.title,
            alleged_by,
            actor.label,
            payload.reason,
            incident_ids=payload.incident_ids,
            zone=payload.zone,
            sector=payload.sector,
            event_date=payload.event_date,
            alleged_against=payload.alleged_against,
            protected=protected,
            at=payload.at,
        )
        note.resource_id, note.status = case.id, 201
        shown = present_case(conn, actor, case.to_json())
    _publish(request)
    location = str(request.url_for("get_case", case_id=case.id))
    return JSONResponse(shown.model_dump(mode="json"), status_code=201, headers={"Location": location})


def _publish(request: Request) -> None:
    """Every case act goes into the log once committed (as with `truce case ...`). If the server
    dies before this, `truce verify` names the act as unpublished until the next publish."""
    context(request).log.publish()


def _apply(conn, act: Transition, case_id: str, actor: Actor) -> Case:  # noqa: ANN001
    who, at = actor.label, act.at
    if isinstance(act, Assign):
        return verify_store.assign_case(conn, case_id, act.investigator, who, act.reason, at)
    if isinstance(act, Decide):
        case = verify_store.decide_case(conn, case_id, act.outcome, act.facts, who, act.reason, at)
        if act.attribution is not None:
            party = None if act.attribution.strip().lower() == "undetermined" else act.attribution
            case = verify_store.attribute_case(
                conn, case_id, party, who, act.attribution_reason or act.reason, at
            )
        return case
    if isinstance(act, Attribute):
        party = act.party if act.party and act.party.strip().lower() != "undetermined" else None
        return verify_store.attribute_case(conn, case_id, party, who, act.reason, at)
    if isinstance(act, Refer):
        return verify_store.refer_case(conn, case_id, act.recipients, who, act.reason, at)
    if isinstance(act, Reopen):
        return verify_store.reopen_case(conn, case_id, who, act.reason, at)
    raise unprocessable("unknown act")  # pragma: no cover - the discriminator admits only the above


@router.post(
    "/{case_id}/transitions",
    response_model=None,
    responses={200: {"model": CaseMonitor}},
    summary="Move a case: assign, decide (facts and outcome), attribute, refer, reopen",
)
def transition(
    request: Request,
    case_id: str,
    act: Transition,
    actor: Actor = Depends(requires(Action.transition, Resource.cases)),
) -> dict:
    ctx = context(request)
    with writing(request, actor, Resource.cases, f"transition:{act.action}") as (conn, note):
        note.resource_id = case_id
        body = _visible_case(conn, actor, case_id)
        if act.expected_version is not None and act.expected_version != len(body["events"]):
            raise conflict(f"the case is at version {len(body['events'])}, not {act.expected_version}")
        case = _apply(conn, act, case_id, actor)
        alerts = fire_triggers(conn, ctx, case)
        shown = present_case(conn, actor, case.to_json())
    _publish(request)
    if alerts and ctx.dispatcher is not None:
        ctx.dispatcher.submit(alerts)
    return shown.model_dump(mode="json")
