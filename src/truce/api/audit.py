"""The audit trail: one row per write through the API, in the same transaction as the write, and
one per refused write attempt (denied or rejected), so "who changed what, when" always has an answer."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select

from truce.api.policy import Actor
from truce.store.api_tables import api_audit
from truce.store.records import now_utc

__all__ = ["audit_rows", "record"]


def record(
    conn: Connection,
    actor: Actor,
    action: str,
    resource: str,
    resource_id: str | None,
    *,
    method: str,
    path: str,
    request_sha256: str,
    outcome: str,
    status: int,
) -> None:
    conn.execute(
        insert(api_audit).values(
            at=now_utc(),
            user_id=actor.user_id,
            actor=actor.label,
            role=actor.role.value,
            action=action,
            resource=resource,
            resource_id=resource_id,
            method=method,
            path=path[:500],
            request_sha256=request_sha256,
            outcome=outcome,
            status=status,
        )
    )


def audit_rows(conn: Connection, *, limit: int, offset: int, resource: str | None = None) -> list[dict]:
    query = select(api_audit).order_by(api_audit.c.id.desc()).limit(limit).offset(offset)
    if resource:
        query = query.where(api_audit.c.resource == resource)
    return [dict(r) for r in conn.execute(query).mappings()]
