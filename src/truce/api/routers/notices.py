"""Advance notices: a party notifies a movement inside a zone before it happens (deconfliction).
The server sets who gave it and when; the assessment counts a movement as notified only if the
notice came at least the agreement's advance_hours before it."""

from __future__ import annotations

import datetime as dt
import json

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import insert, select, update

from truce.api.deps import PageParams, context, page_params, requires, writing
from truce.api.geodata import load_agreement_row, ruled_zones, stored_agreements
from truce.api.notices import new_notice_id, notice_view
from truce.api.paging import Keyset, fetch_page
from truce.api.policy import Action, Actor, Resource, Role, can_see_notice
from truce.api.problems import conflict, forbidden, not_found, unprocessable
from truce.api.schemas.common import Page
from truce.api.schemas.records import NoticeIn, NoticeOut
from truce.provisions import NotificationProvision
from truce.store.api_tables import api_notices
from truce.store.records import now_utc

router = APIRouter(prefix="/notices", tags=["notices"])
NEWEST_FIRST = Keyset.of(api_notices.c.given_at, api_notices.c.id, descending=True)


def _known_zones(request: Request) -> set[str]:
    ctx = context(request)
    names: set[str] = set()
    for row in stored_agreements(ctx):
        stored = load_agreement_row(ctx, row["id"])
        for provision in stored.agreement.provisions:
            if provision.kind in ("zone_exclusion", "protected_site"):
                names.add(provision.id)
                zone = getattr(provision, "zone", None)
                if zone is not None:
                    names.add(zone.id)
        try:
            names.update(rz.zone.id for rz in ruled_zones(ctx, stored))
        except Exception:  # noqa: BLE001,S110 — without snapshots the drawn zones are unknown; ids still are
            pass
    return names


def _longest_notice_hours(request: Request) -> float:
    """The longest window any stored agreement lets one notice cover (a longer one excuses nothing)."""
    ctx = context(request)
    limits = [
        float(p.max_notice_hours)
        for row in stored_agreements(ctx)
        for p in load_agreement_row(ctx, row["id"]).agreement.provisions
        if p.kind == "notification"
    ]
    return max(limits, default=NotificationProvision.model_fields["max_notice_hours"].default)


def _log(request: Request, row: dict) -> None:
    """Every notice and withdrawal goes into the log (as a commitment) before it is stored, as a
    report's digest does: a crash leaves an entry without a row, never a row missing from the log."""
    ctx = context(request)
    ctx.log.append_before_storing(ctx.log.notice_entry(row), "notice")


@router.post("", response_model=NoticeOut, status_code=201, summary="Notify a movement inside a zone")
def give_notice(
    request: Request, payload: NoticeIn, actor: Actor = Depends(requires(Action.create, Resource.notices))
) -> JSONResponse:
    if actor.role is not Role.party_liaison or not actor.party:
        raise forbidden("notices are given by a party's liaison")
    zones = _known_zones(request)
    if payload.zone not in zones:
        raise unprocessable(f"unknown zone {payload.zone!r}; one of: {', '.join(sorted(zones))}")
    row = {
        "id": new_notice_id(),
        "party": actor.party,
        "zone": payload.zone,
        "classes": json.dumps(list(dict.fromkeys(payload.classes))),
        "given_at": now_utc(),
        "starts": payload.starts.astimezone(dt.UTC).isoformat(),
        "ends": payload.ends.astimezone(dt.UTC).isoformat(),
        "description": payload.description,
        "submitted_by": actor.label,
        "withdrawn_at": None,
    }
    longest = _longest_notice_hours(request)
    if (payload.ends - payload.starts) > dt.timedelta(hours=longest):
        raise unprocessable(f"a notice may cover at most {longest:g} hours (the terms' max_notice_hours)")
    with writing(request, actor, Resource.notices, "create") as (conn, note):
        _log(request, row)
        conn.execute(insert(api_notices).values(**row))
        stored = conn.execute(select(api_notices).where(api_notices.c.id == row["id"])).one()
        note.resource_id, note.status = row["id"], 201
    location = str(request.url_for("get_notice", notice_id=row["id"]))
    body = NoticeOut(**notice_view(stored)).model_dump(mode="json")
    return JSONResponse(body, status_code=201, headers={"Location": location})


def _visible(actor: Actor):  # noqa: ANN202 — a SQL condition
    if actor.is_mission:
        return api_notices.c.id.is_not(None)
    return api_notices.c.party == (actor.party or "")


@router.get("", response_model=Page[NoticeOut], summary="Notices: all for staff, a party's own for it")
def list_notices(
    request: Request,
    actor: Actor = Depends(requires(Action.read, Resource.notices)),
    page: PageParams = Depends(page_params),
    zone: str | None = Query(None, max_length=200),
    active: bool | None = Query(None, description="only those not withdrawn (true) or withdrawn (false)"),
) -> dict:
    query = select(api_notices).where(_visible(actor))
    if zone:
        query = query.where(api_notices.c.zone == zone)
    if active is not None:
        withdrawn = api_notices.c.withdrawn_at
        query = query.where(withdrawn.is_(None) if active else withdrawn.is_not(None))
    with context(request).workspace.engine.connect() as conn:
        rows, paged = fetch_page(conn, request, query, NEWEST_FIRST, page)
    return page.envelope([notice_view(r) for r in rows], paged)


def _visible_notice(conn, actor: Actor, notice_id: str):  # noqa: ANN001, ANN202 — a row of api_notices
    """The notice, or 404 whether it does not exist or is another party's (the same answer)."""
    row = conn.execute(select(api_notices).where(api_notices.c.id == notice_id)).first()
    if row is None or not can_see_notice(actor, row.party):
        raise not_found("notice")
    return row


@router.get("/{notice_id}", response_model=NoticeOut, summary="One notice")
def get_notice(
    request: Request, notice_id: str, actor: Actor = Depends(requires(Action.read, Resource.notices))
) -> dict:
    with context(request).workspace.engine.connect() as conn:
        row = _visible_notice(conn, actor, notice_id)
    return notice_view(row)


@router.delete("/{notice_id}", response_model=NoticeOut, summary="Withdraw a notice (it stays on record)")
def withdraw_notice(
    request: Request, notice_id: str, actor: Actor = Depends(requires(Action.delete, Resource.notices))
) -> dict:
    with writing(request, actor, Resource.notices, "withdraw") as (conn, note):
        note.resource_id = notice_id
        row = _visible_notice(conn, actor, notice_id)
        if row.withdrawn_at:
            raise conflict("the notice was withdrawn already")
        withdrawn = {**row._mapping, "withdrawn_at": now_utc()}
        _log(request, withdrawn)
        conn.execute(
            update(api_notices)
            .where(api_notices.c.id == notice_id)
            .values(withdrawn_at=withdrawn["withdrawn_at"])
        )
        row = conn.execute(select(api_notices).where(api_notices.c.id == notice_id)).one()
    return notice_view(row)
