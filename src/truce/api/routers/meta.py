"""Who am I, and where to start."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from truce.api.deps import requires
from truce.api.policy import Action, Actor, Resource, permissions_of
from truce.api.schemas.records import Me

router = APIRouter(tags=["meta"])


@router.get("/me", response_model=Me, summary="The caller: name, role, party and permissions")
def me(actor: Actor = Depends(requires(Action.read, Resource.meta))) -> Me:
    return Me(
        name=actor.name,
        role=actor.role.value,
        party=actor.party,
        token_id=actor.token_id,
        permissions=permissions_of(actor.role),
    )


@router.get("", summary="Links to every resource")
def index(request: Request, actor: Actor = Depends(requires(Action.read, Resource.meta))) -> dict:
    base = str(request.url).rstrip("/")
    names = [
        "me",
        "reports",
        "incidents",
        "sources",
        "clusters",
        "cases",
        "findings",
        "agreements",
        "territory",
        "notices",
        "alerts",
        "webhooks",
        "log",
        "exports",
        "users",
        "audit",
    ]
    return {
        "title": "truce API",
        "links": [{"rel": name, "href": f"{base}/{name}"} for name in names]
        + [
            {"rel": "service-desc", "href": str(request.url_for("openapi"))},
            {"rel": "ogc", "href": str(request.url_for("ogc_landing"))},
        ],
    }
