"""Clusters: reports of one event, graded. Recomputing them is a monitor's act."""

from __future__ import annotations

import json

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from truce.api.deps import PageParams, context, page_params, requires, writing
from truce.api.paging import Keyset, fetch_page
from truce.api.policy import Action, Actor, Resource
from truce.api.problems import not_found
from truce.api.responses import ok
from truce.api.schemas.common import Page
from truce.api.schemas.records import ClusterMonitor, ClusterPublic
from truce.api.views import (
    cluster_members_visible,
    cluster_view,
    cluster_visibility,
    hidden_incident_ids,
    present_cluster,
    protected_source_names,
)
from truce.store.verify_tables import cluster_members, clusters
from truce.verify import store as verify_store
from truce.verify.clustering import cluster_id as cluster_id_of

router = APIRouter(prefix="/clusters", tags=["clusters"])
BY_TIME = Keyset.of(clusters.c.t_start, clusters.c.id)  # ix_clusters_t_start_id
AnyCluster = ClusterMonitor | ClusterPublic


def _present(conn, actor: Actor, bodies: list[dict]) -> list:  # noqa: ANN001
    visible = cluster_members_visible(conn, actor, [b["id"] for b in bodies])
    names = protected_source_names(conn)
    if visible is not None:
        bodies = [cluster_view(conn, b, [m for m in b["members"] if m in visible]) for b in bodies]
    return [present_cluster(actor, b, names) for b in bodies]


def _find_view(conn, actor: Actor, wanted: str) -> dict | None:  # noqa: ANN001
    """A cluster the caller knows by its view id: one of the few clusters holding an incident the
    caller may not see, seen without it."""
    hidden = hidden_incident_ids(conn, actor)
    if not hidden:
        return None
    holding = select(cluster_members.c.cluster_id).where(cluster_members.c.incident_id.in_(sorted(hidden)))
    query = select(clusters.c.body).where(clusters.c.id.in_(holding), cluster_visibility(actor))
    for (body,) in conn.execute(query):
        parsed = json.loads(body)
        if cluster_id_of(m for m in parsed["members"] if m not in hidden) == wanted:
            return parsed
    return None


@router.get("", response_model=None, responses={200: {"model": Page[AnyCluster]}}, summary="Clusters by time")
def list_clusters(
    request: Request,
    actor: Actor = Depends(requires(Action.read, Resource.clusters)),
    page: PageParams = Depends(page_params),
    category: str | None = Query(None, max_length=20),
) -> dict:
    query = select(clusters.c.body).where(cluster_visibility(actor))
    if category:
        query = query.where(clusters.c.category == category)
    with context(request).workspace.engine.connect() as conn:
        rows, paged = fetch_page(conn, request, query, BY_TIME, page)
        items = _present(conn, actor, [json.loads(r.body) for r in rows])
    return ok(page.envelope(items, paged))


@router.get(
    "/{cluster_id}", response_model=None, responses={200: {"model": AnyCluster}}, summary="One cluster"
)
def get_cluster(
    request: Request, cluster_id: str, actor: Actor = Depends(requires(Action.read, Resource.clusters))
) -> AnyCluster:
    with context(request).workspace.engine.connect() as conn:
        body = conn.execute(
            select(clusters.c.body).where(clusters.c.id == cluster_id, cluster_visibility(actor))
        ).scalar()
        found = json.loads(body) if body is not None else None
        if (
            found is not None
            and not actor.is_mission
            and hidden_incident_ids(conn, actor) & set(found["members"])
        ):
            found = None  # its stored id is not one this caller was ever shown
        found = found or _find_view(conn, actor, cluster_id)
        if found is None:
            raise not_found("cluster")
        return _present(conn, actor, [found])[0]


@router.post("/recompute", summary="Re-cluster and re-grade every incident")
def recompute(request: Request, actor: Actor = Depends(requires(Action.run, Resource.clusters))) -> dict:
    with writing(request, actor, Resource.clusters, "run") as (conn, note):
        made = verify_store.recluster(conn)
        note.resource_id = f"{len(made)} clusters"
    return {"clusters": len(made)}
