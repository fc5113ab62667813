"""Reading the store as one actor may see it: the queries carry the object-level rules of
truce.api.policy (so a page never counts what the caller may not see), and the presenters build
the response model for the caller's role, redacting protected fields."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import pydantic_core
from sqlalchemy import Connection, Select, false, func, or_, select, true

from truce.api.policy import (
    Actor,
    Role,
    can_see_protected,
    can_see_source_identity,
)
from truce.api.schemas.cases import CaseMonitor, CaseParty, CasePublic
from truce.api.schemas.incidents import IncidentParty, IncidentPublic
from truce.api.schemas.records import ClusterMonitor, ClusterPublic
from truce.model import Incident
from truce.publish.withheld import withhold_finding
from truce.store.api_tables import api_alerts, api_report_access, protected_incidents
from truce.store.schema import incidents, reports, sources
from truce.store.spatial import point_in_box
from truce.store.verify_tables import cases, cluster_members, clusters
from truce.verify.clustering import Cluster, cluster_id
from truce.verify.grading import Source, grade_members, source_view

__all__ = [
    "PROTECTED_SOURCE",
    "audience",
    "hidden_incident_ids",
    "case_visibility",
    "cluster_visibility",
    "count",
    "in_bbox",
    "incident_select",
    "incident_visibility",
    "present_case",
    "cluster_view",
    "present_cluster",
    "hidden_points",
    "present_finding",
    "present_incidents",
    "protected_source_names",
    "scrub",
    "sources_for",
    "visible_incident_ids",
]

PROTECTED_SOURCE = "protected source"


def count(conn: Connection, query: Select) -> int:
    return conn.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()


def in_bbox(lon: Any, lat: Any, box: tuple[float, float, float, float]) -> Any:  # noqa: ANN401 — SQL
    """The point (lon, lat) lies in the box west, south, east, north (from limits.parse_bbox); a box
    crossing the antimeridian has west > east. On PostgreSQL a PostGIS test on the indexed geometry."""
    return point_in_box(lon, lat, box)


# --- incidents -----------------------------------------------------------------------------------


def incident_visibility(actor: Actor) -> Any:  # noqa: ANN401 — a SQL condition
    """Which incidents the actor may see, as a condition on incidents ⟕ api_report_access."""
    if actor.is_mission:
        return true()
    public = or_(api_report_access.c.protected.is_(None), api_report_access.c.protected == 0)
    if actor.role is Role.party_liaison and actor.party:
        return or_(public, api_report_access.c.owner_party == actor.party)
    return public


def incident_select(actor: Actor) -> Select:
    joined = incidents.join(reports, reports.c.id == incidents.c.report_id).outerjoin(
        api_report_access, api_report_access.c.report_id == incidents.c.report_id
    )
    return (
        select(
            incidents.c.id,
            incidents.c.body,
            reports.c.source_id,
            api_report_access.c.owner_party,
            api_report_access.c.protected,
            api_report_access.c.submitted_by,
        )
        .select_from(joined)
        .where(incident_visibility(actor))
    )


def hidden_incident_ids(conn: Connection, actor: Actor) -> set[str]:
    """The incidents the actor may not see: other parties' protected allegations (none for staff).
    A view that counts or assesses incidents leaves these out, so its figures give nothing away."""
    if actor.is_mission:
        return set()
    own = actor.party if actor.role is Role.party_liaison else None
    return set(conn.execute(protected_incidents(own)).scalars())


def audience(actor: Actor) -> str:
    """Callers who see the same incidents: the mission, one party's liaisons, everyone else."""
    if actor.is_mission:
        return "mission"
    if actor.role is Role.party_liaison and actor.party:
        return f"party:{actor.party}"
    return "public"


def visible_incident_ids(conn: Connection, actor: Actor, ids: Iterable[str]) -> set[str]:
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        query = incident_select(actor).with_only_columns(incidents.c.id).where(incidents.c.id.in_(chunk))
        found.update(row[0] for row in conn.execute(query))
    return found


def sources_for(
    conn: Connection, ids: Iterable[str | None], names: Iterable[str | None]
) -> dict[str, Source]:
    """Registered sources by id and by case-folded name, for the ids and names given."""
    ids = {i for i in ids if i}
    names = {n for n in names if n}
    if not ids and not names:
        return {}
    query = select(sources).where(or_(sources.c.id.in_(ids | names), sources.c.name.in_(names)))
    found: dict[str, Source] = {}
    for row in conn.execute(query).mappings():
        source = Source.from_row(row)
        found[source.id] = source
        found.setdefault("name:" + source.name.casefold(), source)
    return found


def _source_of(incident: dict, source_id: str | None, known: dict[str, Source]) -> Source | None:
    if source_id and source_id in known:
        return known[source_id]
    named = incident.get("source")
    if named:
        return known.get(named) or known.get("name:" + named.casefold())
    return None


def _view_role(actor: Actor) -> str:
    return "monitor" if can_see_source_identity(actor) else "public"


# The fields of each view, from its response model (the models document the API; the views are
# built as plain dicts from the stored JSON, which is validated once, when it comes in).
_PUBLIC = tuple(IncidentPublic.model_fields)
_PARTY_EXTRA = tuple(k for k in IncidentParty.model_fields if k not in IncidentPublic.model_fields)


def present_incidents(conn: Connection, actor: Actor, rows: Sequence[Any]) -> list[dict]:
    """Rows of incident_select, as the actor's view: IncidentMonitor for mission staff,
    IncidentParty for liaisons, IncidentPublic for everyone else."""
    parsed = [(pydantic_core.from_json(r.body), r) for r in rows]  # as json.loads, 3× faster
    known = sources_for(conn, (r.source_id for _, r in parsed), (i.get("source") for i, _ in parsed))
    return [_present_incident(actor, incident, row, known) for incident, row in parsed]


def _present_incident(actor: Actor, data: dict, row: Any, known: dict[str, Source]) -> dict:  # noqa: ANN401
    source = _source_of(data, row.source_id, known)
    protected = bool(row.protected)
    own = protected and can_see_protected(actor, row.owner_party) and not actor.is_mission
    hide_identity = source is not None and source.protected and not can_see_source_identity(actor) and not own
    if hide_identity:
        data["source"] = PROTECTED_SOURCE
        if not actor.is_mission:
            data["evidence"] = None  # the words would point to the person
    extra = {"protected": protected, "owner_party": row.owner_party}
    if actor.is_mission:
        record = source_view(source, _view_role(actor)) if source else None
        return {**data, **extra, "submitted_by": row.submitted_by, "source_record": record}
    view = {k: data.get(k) for k in _PUBLIC}
    if actor.role is Role.party_liaison:
        view.update({k: extra[k] for k in _PARTY_EXTRA})
    return view


# --- cases ---------------------------------------------------------------------------------------


def case_visibility(actor: Actor) -> Any:  # noqa: ANN401 — a SQL condition
    if actor.is_mission:
        return true()
    public = cases.c.protected == 0
    if actor.role is Role.party_liaison and actor.party:
        return or_(public, cases.c.alleged_by == f"party:{actor.party}")
    return public if actor.role in (Role.public, Role.guarantor, Role.party_liaison) else false()


def present_case(conn: Connection, actor: Actor, body: dict, *, detail: dict | None = None) -> CasePublic:
    visible = visible_incident_ids(conn, actor, body["incident_ids"])
    shown = [i for i in body["incident_ids"] if i in visible]
    history = [{k: e[k] for k in ("seq", "action", "from_state", "to_state", "at")} for e in body["events"]]
    base = {
        **{k: body[k] for k in CasePublic.model_fields if k in body and k not in ("incident_ids",)},
        "incident_ids": shown,
        "withheld_incidents": len(body["incident_ids"]) - len(shown),
        "history": history,
    }
    if not actor.is_mission:
        if actor.role is Role.party_liaison:
            # A party's allegation names the party; anything else is the mission's own, and which
            # monitor filed it is not for the parties to know.
            accuser = body["alleged_by"] if body["alleged_by"].startswith("party:") else "mission"
            return CaseParty(**base, alleged_by=accuser, protected=body["protected"])
        return CasePublic(**base)
    alerts = [r[0] for r in conn.execute(select(api_alerts.c.id).where(api_alerts.c.case_id == body["id"]))]
    events = (detail or body)["events"]
    return CaseMonitor(
        **base,
        alleged_by=body["alleged_by"],
        protected=body["protected"],
        assigned_to=body["assigned_to"],
        version=len(body["events"]),
        events=[
            {
                k: e.get(k)
                for k in ("seq", "action", "from_state", "to_state", "at", "actor", "reason", "details")
            }
            for e in events
        ],
        evidence=(detail or {}).get("evidence") or [{"sha256": s} for s in body.get("evidence", [])],
        alerts=alerts,
    )


# --- findings and clusters -----------------------------------------------------------------------


def present_finding(body: dict, visible: set[str] | None) -> dict:
    """A finding (FindingOut) with the incidents the caller may not see left out, and counted. The
    finding itself is the mission's public conclusion, but where it is, what was measured and the
    words of its rationale come from those incidents: they are withheld too."""
    ids = body.get("incident_ids", [])
    shown = ids if visible is None else [i for i in ids if i in visible]
    withheld = len(ids) - len(shown)
    view = {**body, "incident_ids": shown, "withheld_incidents": withheld}
    return withhold_finding(view) if withheld else view


def hidden_points(conn: Connection, actor: Actor) -> list[tuple[float, float]]:
    """The places of the incidents the actor may not see: a bbox query over findings leaves out
    findings at those points (else narrowing boxes would find a withheld finding's place)."""
    hidden = hidden_incident_ids(conn, actor)
    if not hidden:
        return []
    query = select(incidents.c.lon, incidents.c.lat).where(
        incidents.c.id.in_(sorted(hidden)), incidents.c.lon.is_not(None)
    )
    return sorted({(float(lon), float(lat)) for lon, lat in conn.execute(query)})


def protected_source_names(conn: Connection) -> list[str]:
    """Ids and names of protected sources, longest first (for scrubbing them out of text)."""
    rows = conn.execute(select(sources.c.id, sources.c.name).where(sources.c.protected != 0))
    names = {value for row in rows for value in row if value}
    return sorted(names, key=len, reverse=True)


def scrub(value: Any, names: Sequence[str]) -> Any:  # noqa: ANN401 — any JSON value
    """The value with every protected source's id or name replaced, in every string inside it."""
    if not names:
        return value
    if isinstance(value, str):
        for name in names:
            value = value.replace(name, PROTECTED_SOURCE)
        return value
    if isinstance(value, list):
        return [scrub(v, names) for v in value]
    if isinstance(value, dict):
        return {k: scrub(v, names) for k, v in value.items()}
    return value


def present_cluster(actor: Actor, body: dict, protected: Sequence[str]) -> ClusterPublic:
    """A cluster's body (for a caller who cannot see every member: its view, from cluster_view)."""
    if not can_see_source_identity(actor):
        body = scrub(body, protected)
    grade = body.get("grade") or {}
    base = {
        "id": body["id"],
        "type": body["type"],
        "category": body["category"],
        "date": body["date"],
        "start": body.get("start"),
        "end": body.get("end"),
        "location": body.get("location") or {},
        "actor": body.get("actor"),
        "status": body["status"],
        "code": grade.get("code", ""),
        "reliability": grade.get("reliability", "F"),
        "credibility": grade.get("credibility", 6),
        "credibility_meaning": grade.get("credibility_meaning"),
        "origin_count": len(grade.get("origins", [])),
        "rationale": list(grade.get("rationale", [])),
        "claim_check": body.get("claim_check"),
        "members": body.get("members", []),
    }
    if not actor.is_mission:
        return ClusterPublic(**base)
    return ClusterMonitor(**base, detail=body)


def cluster_view(conn: Connection, body: dict, shown: Sequence[str]) -> dict:
    """The cluster as a caller who sees only the members `shown` would have it: built from those
    alone, as if the others did not exist: its id, place, time, type, status and grade (a
    protected allegation must not lend a public report its place or raise its credibility)."""
    members = body.get("members", [])
    if list(shown) == members:
        return body
    joined = incidents.join(reports, reports.c.id == incidents.c.report_id)
    query = select(
        incidents.c.id, incidents.c.body, incidents.c.t_start, incidents.c.t_end, reports.c.source_id
    ).select_from(joined)
    rows = {r.id: r for r in conn.execute(query.where(incidents.c.id.in_(list(shown))))}
    ordered = [rows[i] for i in shown if i in rows]  # the stored order: the most precise first
    items = [Incident.model_validate_json(r.body) for r in ordered]
    known = sources_for(conn, (r.source_id for r in ordered), (i.source for i in items))
    by_incident = {
        i.id: found
        for i, r in zip(items, ordered, strict=True)
        if (found := _source_of(i.model_dump(), r.source_id, known))
    }
    t0, t1 = max(r.t_start for r in ordered), min(r.t_end for r in ordered)
    if t1 <= t0:
        t0, t1 = ordered[0].t_start, ordered[0].t_end
    view = Cluster(cluster_id(shown), tuple(items), (), int(t0), int(t1))
    anchor_kept = members and shown and shown[0] == members[0]
    return {
        **view.to_json(),
        "grade": grade_members(items, by_incident).to_json(),
        "claim_check": body.get("claim_check") if anchor_kept else None,
    }


def cluster_visibility(actor: Actor) -> Any:  # noqa: ANN401 — a SQL condition on clusters
    """Clusters with at least one member the actor may see."""
    if actor.is_mission:
        return true()
    joined = cluster_members.join(incidents, incidents.c.id == cluster_members.c.incident_id).outerjoin(
        api_report_access, api_report_access.c.report_id == incidents.c.report_id
    )
    members = select(cluster_members.c.cluster_id).select_from(joined).where(incident_visibility(actor))
    return clusters.c.id.in_(members)


def cluster_members_visible(conn: Connection, actor: Actor, cluster_ids: Sequence[str]) -> set[str] | None:
    if actor.is_mission:
        return None
    query = select(cluster_members.c.incident_id).where(cluster_members.c.cluster_id.in_(list(cluster_ids)))
    return visible_incident_ids(conn, actor, (r[0] for r in conn.execute(query)))
