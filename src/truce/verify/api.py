"""What the CLI calls: one function per command, each one transaction on a Workspace, returning
plain data (lists and dicts ready for --json or a table). User mistakes raise UserError.

    truce sources [--role R]                 -> sources(ws, role)
    truce sources grade ID ...               -> grade_source(ws, ...)
    truce clusters [--json] [--category C]   -> clusters(ws, recompute=True, category=C)
    truce case open TITLE ...                -> case_open(ws, ...)
    truce case assign ID INVESTIGATOR        -> case_assign(ws, ...)
    truce case decide ID OUTCOME FACTS       -> case_decide(ws, ...)  (+ case_attribute)
    truce case refer ID RECIPIENT...         -> case_refer(ws, ...)
    truce case show ID                       -> case_show(ws, ID)
    truce quiet [--zone Z]                   -> quiet(ws, zone=Z)
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from truce.errors import UserError
from truce.model import Location
from truce.store import Workspace
from truce.store.schema import agreements
from truce.verify import store
from truce.verify.claims import ClaimCheckParams
from truce.verify.clustering import ClusterParams
from truce.verify.grading import source_view
from truce.verify.interference import InterferenceKind
from truce.verify.mission_quiet import agreement_quiet, load_agreement

__all__ = [
    "case_assign",
    "case_attach",
    "case_attribute",
    "case_decide",
    "case_list",
    "case_open",
    "case_refer",
    "case_reopen",
    "case_show",
    "clusters",
    "grade_source",
    "interference",
    "quiet",
    "record_interference",
    "sources",
]


def sources(ws: Workspace, role: str = "monitor") -> list[dict]:
    """The source registry as `role` sees it (protected identities only for monitors)."""
    try:
        with ws.engine.connect() as conn:
            return store.list_sources(conn, role)
    except ValueError as error:
        raise UserError(None, None, str(error)) from error


def grade_source(
    ws: Workspace,
    source_id: str,
    *,
    actor: str,
    reason: str,
    name: str | None = None,
    kind: str | None = None,
    party: str | None = None,
    reliability: str | None = None,
    protected: bool | None = None,
) -> dict:
    """Register or re-grade a source (reliability A–G, kind, owner party, protection)."""
    with ws.engine.begin() as conn:
        graded = store.grade_source(
            conn,
            source_id,
            actor=actor,
            reason=reason,
            name=name,
            kind=kind,
            party=party,
            reliability=reliability,
            protected=protected,
        )
        return source_view(graded, "monitor") | {"history": store.source_history(conn, source_id)}


def clusters(
    ws: Workspace,
    *,
    recompute: bool = True,
    category: str | None = None,
    params: ClusterParams | None = None,
    claim_params: ClaimCheckParams | None = None,
) -> list[dict]:
    """Re-cluster and re-grade every incident (recompute=True), then list the clusters: one per
    event, with members, reasons, grade and claim check."""
    with ws.engine.begin() as conn:
        if recompute:
            store.recluster(conn, params=params, claim_params=claim_params)
        return store.stored_clusters(conn, category=category)


def _past(at: datetime | None) -> datetime | None:
    """When an act happened: given with its UTC offset, and not in the future."""
    if at is None:
        return None
    if at.tzinfo is None:
        raise UserError(
            None, None, f"--at {at.isoformat()}: give the UTC offset, e.g. {at.isoformat()}+02:00"
        )
    if at > datetime.now(UTC):
        raise UserError(
            None, None, f"--at {at.isoformat()} is in the future; an act is recorded when it happened"
        )
    return at


def case_open(
    ws: Workspace,
    title: str,
    *,
    alleged_by: str,
    actor: str,
    reason: str,
    incident_ids: Sequence[str] = (),
    zone: str | None = None,
    sector: str | None = None,
    event_date: date | None = None,
    alleged_against: str | None = None,
    protected: bool = False,
    at: datetime | None = None,
    recorded_by: str | None = None,
) -> dict:
    """File an allegation. `at` is when it was made, if earlier than now (it is recorded now, by
    `recorded_by`, default the actor: both are kept)."""
    when = _past(at)
    with ws.engine.begin() as conn:
        case = store.open_case(
            conn,
            title,
            alleged_by,
            actor,
            reason,
            incident_ids=incident_ids,
            zone=zone,
            sector=sector,
            event_date=event_date,
            alleged_against=alleged_against,
            protected=protected,
            at=when,
            recorded_by=recorded_by,
        )
        return case.to_json()


def case_assign(
    ws: Workspace,
    case_id: str,
    investigator: str,
    *,
    actor: str,
    reason: str,
    at: datetime | None = None,
    recorded_by: str | None = None,
) -> dict:
    when = _past(at)
    with ws.engine.begin() as conn:
        return store.assign_case(conn, case_id, investigator, actor, reason, when, recorded_by).to_json()


def case_decide(
    ws: Workspace,
    case_id: str,
    outcome: str,
    facts: str,
    *,
    actor: str,
    reason: str,
    attribution: str | None = None,
    attribution_reason: str | None = None,
    at: datetime | None = None,
    recorded_by: str | None = None,
) -> dict:
    """Decide the facts and outcome; with `attribution` ("RU", or "undetermined") also record the
    attribution, as its own event with its own reason, in the same transaction."""
    when = _past(at)
    with ws.engine.begin() as conn:
        case = store.decide_case(conn, case_id, outcome, facts, actor, reason, when, recorded_by)
        if attribution is not None:
            party = None if attribution.strip().lower() == "undetermined" else attribution
            case = store.attribute_case(
                conn, case_id, party, actor, attribution_reason or "", when, recorded_by
            )
        return case.to_json()


def case_attribute(ws: Workspace, case_id: str, party: str | None, *, actor: str, reason: str) -> dict:
    """Decide who is responsible: a party code, or None/"undetermined"."""
    if party is not None and party.strip().lower() == "undetermined":
        party = None
    with ws.engine.begin() as conn:
        return store.attribute_case(conn, case_id, party, actor, reason).to_json()


def case_refer(
    ws: Workspace,
    case_id: str,
    recipients: Sequence[str],
    *,
    actor: str,
    reason: str,
    at: datetime | None = None,
    recorded_by: str | None = None,
) -> dict:
    when = _past(at)
    with ws.engine.begin() as conn:
        return store.refer_case(conn, case_id, recipients, actor, reason, when, recorded_by).to_json()


def case_reopen(ws: Workspace, case_id: str, *, actor: str, reason: str) -> dict:
    with ws.engine.begin() as conn:
        return store.reopen_case(conn, case_id, actor, reason).to_json()


def case_attach(
    ws: Workspace,
    case_id: str,
    path: str | Path,
    *,
    actor: str,
    reason: str,
    media_type: str = "application/octet-stream",
    holder: str | None = None,
) -> dict:
    """Attach a file as evidence: stored by SHA-256, with its chain of custody extended."""
    try:
        content = Path(path).read_bytes()
    except OSError as error:
        raise UserError(str(path), None, f"cannot read: {error.strerror}") from error
    with ws.engine.begin() as conn:
        _, digest = store.attach_evidence(
            conn,
            case_id,
            content,
            actor,
            reason,
            filename=Path(path).name,
            media_type=media_type,
            holder=holder,
        )
        return store.show_case(conn, case_id) | {"attached": digest}


def case_show(ws: Workspace, case_id: str) -> dict:
    with ws.engine.connect() as conn:
        return store.show_case(conn, case_id)


def case_list(ws: Workspace, *, state: str | None = None, zone: str | None = None) -> list[dict]:
    with ws.engine.connect() as conn:
        return store.list_cases(conn, state=state, zone=zone)


def quiet(
    ws: Workspace,
    *,
    zone: str | None = None,
    as_of: date | None = None,
    since: date | None = None,
    required: int = 7,
    agreement_id: str | None = None,
) -> list[dict]:
    """Days without a violation, mission-wide, per zone and per sector. With an agreement in the
    workspace, the same counters as its daily report (violation findings and verified cases, from
    the day it took effect); without one, from verified cases alone."""
    if since is not None and as_of is not None and since > as_of:
        raise UserError(None, None, f"--since {since} is after --as-of {as_of}")
    with ws.engine.connect() as conn:
        if agreement_id is not None or conn.execute(select(agreements.c.id).limit(1)).first():
            agreement, _ = load_agreement(conn, agreement_id)
            day = as_of or datetime.now(zoneinfo.ZoneInfo(agreement.timezone)).date()
            counts = agreement_quiet(conn, agreement, day, since=since, required=required)
            if zone is not None:
                counts = [c for c in counts if c.scope == "zone" and c.name == zone] or _unknown_zone(
                    zone, counts
                )
        else:
            counts = store.quiet(conn, as_of=as_of, since=since, zone=zone, required=required)
    return [c.to_json() for c in counts]


def _unknown_zone(zone: str, counts: list) -> list:
    known = ", ".join(c.name for c in counts if c.scope == "zone") or "none"
    raise UserError(None, None, f"unknown zone {zone!r}; one of {known}")


def record_interference(
    ws: Workspace,
    kind: str,
    day: date,
    location: Location,
    *,
    reported_by: str,
    description: str,
    actor: str | None = None,
    time: datetime | None = None,
) -> dict:
    """Record interference with monitors (movement restriction, denied access, jamming, camera down)."""
    with ws.engine.begin() as conn:
        incident = store.record_interference(
            conn,
            InterferenceKind(kind) if kind in InterferenceKind.__members__ else kind,
            day,
            location,
            reported_by,
            description,
            actor=actor,
            time=time,
        )
        return incident.to_json()


def interference(ws: Workspace, *, since: date | None = None, until: date | None = None) -> dict:
    """Interference with monitors in a period, as its own category (for the daily report)."""
    with ws.engine.connect() as conn:
        return store.interference_report(conn, since, until)
