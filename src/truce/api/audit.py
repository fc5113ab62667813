"""The audit trail: one row per write through the API, in the same transaction as the write, and
one per refused write attempt (denied or rejected), so "who changed what, when" always has an answer."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select
from starlette.requests import Request

from truce.api.paging import Keyset, PageParams, fetch_page
from truce.api.policy import Actor
from truce.store.api_tables import api_audit
from truce.store.records import now_utc

__all__ = ["NEWEST_FIRST", "audit_page", "record"]


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


NEWEST_FIRST = Keyset.of(api_audit.c.id, descending=True)


def audit_page(
    conn: Connection, request: Request, page: PageParams, resource: str | None = None
) -> tuple[list[dict], dict]:
    """One page of the audit trail, newest first (by cursor: the same work at any depth)."""
    query = select(api_audit)
    if resource:
        query = query.where(api_audit.c.resource == resource)
    rows, paged = fetch_page(conn, request, query, NEWEST_FIRST, page)
    columns = [c.key for c in api_audit.c]
    return [{k: row._mapping[k] for k in columns} for row in rows], paged
