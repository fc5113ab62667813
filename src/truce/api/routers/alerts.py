"""Guarantor alerts (shown until acknowledged) and the webhooks they are delivered to."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy import insert, select, update

from truce.api.alerts import alert_envelope
from truce.api.deps import context, requires, writing
from truce.api.policy import Action, Actor, Resource, Role, can_see_alert
from truce.api.problems import conflict, forbidden, not_found, unprocessable
from truce.api.schemas.records import AckIn, AlertOut, WebhookCreated, WebhookIn, WebhookOut
from truce.api.webhook_targets import UnsafeTarget, check_webhook_url
from truce.store.api_tables import api_alert_acks, api_alerts, api_webhooks
from truce.store.records import now_utc

router = APIRouter(tags=["alerts"])


def _acks(conn, alert_id: str) -> dict[str, dict | None]:  # noqa: ANN001
    rows = conn.execute(select(api_alert_acks).where(api_alert_acks.c.alert_id == alert_id))
    return {
        r.recipient: (
            {"at": r.acknowledged_at, "by": r.acknowledged_by, "note": r.note} if r.acknowledged_at else None
        )
        for r in rows
    }


def _present(conn, actor: Actor, row) -> AlertOut | None:  # noqa: ANN001
    acks = _acks(conn, row.id)
    if not can_see_alert(actor, set(acks)):
        return None
    if actor.role is Role.guarantor:
        done = acks.get(actor.party) is not None
    else:
        done = all(v is not None for v in acks.values())
    return AlertOut(
        **alert_envelope(row),
        case_id=row.case_id,
        agreement_id=row.agreement_id,
        provision_id=row.provision_id,
        created_at=row.created_at,
        recipients=acks,
        acknowledged=done,
    )


@router.get(
    "/alerts",
    response_model=list[AlertOut],
    summary="Alerts for the caller's guarantor (all for staff); open ones until acknowledged",
)
def list_alerts(
    request: Request,
    actor: Actor = Depends(requires(Action.read, Resource.alerts)),
    include_acknowledged: bool = Query(False, description="also those already acknowledged"),
    limit: int = Query(100, ge=1, le=1000),
) -> list:
    with context(request).workspace.engine.connect() as conn:
        query = select(api_alerts).order_by(api_alerts.c.created_at.desc(), api_alerts.c.id)
        if actor.role is Role.guarantor:
            mine = select(api_alert_acks.c.alert_id).where(api_alert_acks.c.recipient == (actor.party or ""))
            query = query.where(api_alerts.c.id.in_(mine))
        shown = []
        for row in conn.execute(query):
            alert = _present(conn, actor, row)
            if alert is not None and (include_acknowledged or not alert.acknowledged):
                shown.append(alert)
            if len(shown) >= limit:
                break
        return shown


def _alert(conn, actor: Actor, alert_id: str) -> AlertOut:  # noqa: ANN001
    row = conn.execute(select(api_alerts).where(api_alerts.c.id == alert_id)).first()
    alert = _present(conn, actor, row) if row is not None else None
    if alert is None:
        raise not_found("alert")
    return alert


@router.get("/alerts/{alert_id}", response_model=AlertOut, summary="One alert, with its signature")
def get_alert(
    request: Request, alert_id: str, actor: Actor = Depends(requires(Action.read, Resource.alerts))
) -> AlertOut:
    with context(request).workspace.engine.connect() as conn:
        return _alert(conn, actor, alert_id)


@router.post(
    "/alerts/{alert_id}/acknowledge",
    response_model=AlertOut,
    summary="Acknowledge an alert for the caller's guarantor",
)
def acknowledge(
    request: Request,
    alert_id: str,
    payload: AckIn,
    actor: Actor = Depends(requires(Action.acknowledge, Resource.alerts)),
) -> AlertOut:
    with writing(request, actor, Resource.alerts, "acknowledge") as (conn, note):
        note.resource_id = alert_id
        alert = _alert(conn, actor, alert_id)
        if alert.recipients.get(actor.party) is not None:
            raise conflict(f"already acknowledged for {actor.party}")
        conn.execute(
            update(api_alert_acks)
            .where(api_alert_acks.c.alert_id == alert_id, api_alert_acks.c.recipient == actor.party)
            .values(acknowledged_at=now_utc(), acknowledged_by=actor.label, note=payload.note)
        )
        return _alert(conn, actor, alert_id)


def _hook_view(row) -> WebhookOut:  # noqa: ANN001
    return WebhookOut(
        id=row.id, recipient=row.recipient, url=row.url, created_at=row.created_at, revoked_at=row.revoked_at
    )


@router.post(
    "/webhooks",
    response_model=WebhookCreated,
    status_code=201,
    summary="Register a URL that receives alerts (HMAC-signed); the secret is shown once",
)
def add_webhook(
    request: Request, payload: WebhookIn, actor: Actor = Depends(requires(Action.create, Resource.webhooks))
) -> JSONResponse:
    if actor.role is Role.guarantor:
        if payload.recipient not in (None, actor.party):
            raise forbidden("a guarantor registers webhooks for itself only")
        recipient = actor.party
    elif payload.recipient is None:
        raise unprocessable("name the guarantor the webhook is for (recipient)")
    else:
        recipient = payload.recipient
    try:
        check_webhook_url(payload.url, context(request).settings.webhook_allow)
    except UnsafeTarget as error:
        raise unprocessable(f"url: {error}") from None
    row = {
        "id": f"whk-{secrets.token_hex(8)}",
        "user_id": actor.user_id,
        "recipient": recipient,
        "url": payload.url,
        "secret": secrets.token_urlsafe(32),
        "created_at": now_utc(),
    }
    with writing(request, actor, Resource.webhooks, "create") as (conn, note):
        conn.execute(insert(api_webhooks).values(**row))
        note.resource_id, note.status = row["id"], 201
    body = WebhookCreated(
        **{k: row[k] for k in ("id", "recipient", "url", "created_at", "secret")}, revoked_at=None
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=201)


def _hooks_visible(actor: Actor):  # noqa: ANN202
    if actor.role is Role.guarantor:
        return api_webhooks.c.recipient == (actor.party or "")
    return api_webhooks.c.id.is_not(None)


@router.get("/webhooks", response_model=list[WebhookOut], summary="Webhooks (a guarantor's own)")
def list_webhooks(request: Request, actor: Actor = Depends(requires(Action.read, Resource.webhooks))) -> list:
    with context(request).workspace.engine.connect() as conn:
        rows = conn.execute(
            select(api_webhooks).where(_hooks_visible(actor)).order_by(api_webhooks.c.created_at)
        )
        return [_hook_view(r) for r in rows]


@router.delete("/webhooks/{webhook_id}", response_model=WebhookOut, summary="Stop delivering to a webhook")
def remove_webhook(
    request: Request, webhook_id: str, actor: Actor = Depends(requires(Action.delete, Resource.webhooks))
) -> WebhookOut:
    with writing(request, actor, Resource.webhooks, "delete") as (conn, note):
        note.resource_id = webhook_id
        where = (api_webhooks.c.id == webhook_id) & _hooks_visible(actor)
        row = conn.execute(select(api_webhooks).where(where)).first()
        if row is None or row.revoked_at:
            raise not_found("webhook")
        conn.execute(update(api_webhooks).where(where).values(revoked_at=now_utc()))
        return _hook_view(conn.execute(select(api_webhooks).where(where)).one())
