"""GET /sources: the source registry for mission staff (identities of protected sources only for
monitors)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from truce.api.deps import context, requires
from truce.api.policy import Action, Actor, Resource, can_see_source_identity
from truce.api.schemas.incidents import SourceView
from truce.verify import store as verify_store

router = APIRouter(prefix="/sources", tags=["sources"])


@router.get("", response_model=list[SourceView], summary="Every registered source, with its grade")
def list_sources(request: Request, actor: Actor = Depends(requires(Action.read, Resource.sources))) -> list:
    with context(request).workspace.engine.connect() as conn:
        return verify_store.list_sources(conn, "monitor" if can_see_source_identity(actor) else "analyst")
