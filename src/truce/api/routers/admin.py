"""Accounts and the audit trail, for admins."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from truce.api.audit import audit_page
from truce.api.deps import PageParams, context, page_params, requires
from truce.api.policy import Action, Actor, Resource
from truce.api.users import list_users

router = APIRouter(tags=["admin"])


@router.get("/users", summary="Users and their token ids (never the tokens)")
def users(request: Request, actor: Actor = Depends(requires(Action.read, Resource.users))) -> list:
    return list_users(context(request).workspace)


@router.get("/audit", summary="The audit trail, newest first")
def audit(
    request: Request,
    actor: Actor = Depends(requires(Action.read, Resource.audit)),
    page: PageParams = Depends(page_params),
    resource: str | None = Query(None, max_length=40),
) -> dict:
    with context(request).workspace.engine.connect() as conn:
        items, paged = audit_page(conn, request, page, resource)
    return page.envelope(items, paged)
