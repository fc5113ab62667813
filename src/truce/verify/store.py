"""The verification stage in the store: thin functions over a Connection, so the caller decides the
transaction (truce.verify.api runs each command in one). The logic lives in the pure modules."""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from datetime import UTC, date, datetime
from functools import lru_cache

import shapely
from sqlalchemy import Connection, delete, insert, select, update

from truce import canonical
from truce.errors import UserError
from truce.geo.control import ControlSnapshot
from truce.model import INTERFERENCE_TYPES, KYIV, Incident, Location
from truce.sensors.corroboration import AnomalyIndex
from truce.sensors.store import anomalies_between
from truce.store.records import add_incidents, add_report, ensure_source, iter_incidents
from truce.store.schema import control_snapshots, incidents, reports, sources
from truce.store.verify_tables import (
    case_events,
    case_evidence,
    case_incidents,
    cases,
    cluster_members,
    clusters,
    custody_events,
    evidence,
    source_grades,
)
from truce.verify import cases as flow
from truce.verify.categories import category_of
from truce.verify.claims import ClaimCheckParams, check_claim
from truce.verify.clustering import Cluster, ClusterParams, cluster_incidents
from truce.verify.evidence import CustodyEntry, custody_entry, sha256_hex, verify_content, verify_custody
from truce.verify.grading import (
    Reliability,
    Source,
    SourceKind,
    corroborated_by_sensor,
    grade_members,
    source_view,
)
from truce.verify.interference import InterferenceKind, interference_incident, interference_summary
from truce.verify.quiet import QuietCount, Violation, quiet_counters

__all__ = [
    "StoredSnapshots",
    "assign_case",
    "attach_evidence",
    "attribute_case",
    "custody_chain",
    "decide_case",
    "grade_source",
    "incident_sources",
    "interference_clusters",
    "interference_report",
    "list_cases",
    "list_sources",
    "load_case",
    "load_sources",
    "open_case",
    "quiet",
    "recluster",
    "record_custody",
    "record_interference",
    "refer_case",
    "reopen_case",
    "show_case",
    "source_history",
    "stored_clusters",
    "verified_violations",
]


def _now(at: datetime | None) -> datetime:
    return at or datetime.now(UTC).replace(microsecond=0)


# --- sources -----------------------------------------------------------------------------------


def load_sources(conn: Connection) -> dict[str, Source]:
    return {row["id"]: Source.from_row(row) for row in conn.execute(select(sources)).mappings()}


def grade_source(
    conn: Connection,
    source_id: str,
    *,
    actor: str,
    reason: str,
    name: str | None = None,
    kind: SourceKind | str | None = None,
    party: str | None = None,
    reliability: Reliability | str | None = None,
    protected: bool | None = None,
    at: datetime | None = None,
) -> Source:
    """Register a source or change its grading; the change and its reason go to its history."""
    if not actor.strip() or not reason.strip():
        raise UserError(f"source {source_id}", None, "grading a source needs who (actor) and why (reason)")
    try:
        kind = SourceKind(kind) if kind is not None else None
        reliability = Reliability(str(reliability).upper()) if reliability is not None else None
    except ValueError as error:
        raise UserError(f"source {source_id}", None, str(error)) from error
    when = _now(at).isoformat()
    current = load_sources(conn).get(source_id)
    if current is None:
        conn.execute(
            insert(sources).values(
                id=source_id,
                name=name or source_id,
                kind=(kind or SourceKind.unknown).value,
                party=party,
                reliability=(reliability or Reliability.F).value,
                protected=int(bool(protected)),
                created_at=when,
            )
        )
    else:
        changes = {
            k: v
            for k, v in {
                "name": name,
                "kind": kind.value if kind else None,
                "party": party,
                "reliability": reliability.value if reliability else None,
                "protected": int(protected) if protected is not None else None,
            }.items()
            if v is not None
        }
        if changes:
            conn.execute(update(sources).where(sources.c.id == source_id).values(**changes))
    graded = load_sources(conn)[source_id]
    conn.execute(
        insert(source_grades).values(
            source_id=source_id,
            reliability=graded.reliability.value,
            kind=graded.kind.value,
            party=graded.party,
            protected=int(graded.protected),
            actor=actor.strip(),
            reason=reason.strip(),
            at=when,
        )
    )
    return graded


def source_history(conn: Connection, source_id: str) -> list[dict]:
    query = select(source_grades).where(source_grades.c.source_id == source_id).order_by(source_grades.c.id)
    return [dict(row) for row in conn.execute(query).mappings()]


def list_sources(conn: Connection, role: str = "public") -> list[dict]:
    """Every source as `role` may see it (protected identities only for monitors)."""
    return [source_view(s, role) for s in sorted(load_sources(conn).values(), key=lambda s: s.id)]


def incident_sources(conn: Connection, items: Iterable[Incident]) -> dict[str, Source]:
    """Each incident's source: its report's registered source, else a source named by the incident."""
    known = load_sources(conn)
    by_name = {s.name.casefold(): s for s in known.values()}
    report_source = dict(conn.execute(select(reports.c.id, reports.c.source_id)).all())
    found = {}
    for incident in items:
        source_id = report_source.get(incident.report_id)
        source = known.get(source_id) if source_id else None
        if source is None and incident.source:
            source = known.get(incident.source) or by_name.get(incident.source.casefold())
        if source is not None:
            found[incident.id] = source
    return found


# --- snapshots ---------------------------------------------------------------------------------


class StoredSnapshots:
    """The workspace's control snapshots of one occupying party (a claims.SnapshotSeries)."""

    def __init__(self, conn: Connection, party: str = "RU") -> None:
        self._conn, self.party = conn, party
        query = select(control_snapshots.c.date).where(control_snapshots.c.party == party)
        self._dates = sorted(row[0] for row in conn.execute(query))
        self.get = lru_cache(maxsize=32)(self._load)

    def dates(self) -> Sequence[date]:
        return self._dates

    def _load(self, when: date) -> ControlSnapshot:
        key = (control_snapshots.c.date == when) & (control_snapshots.c.party == self.party)
        row = self._conn.execute(select(control_snapshots).where(key)).mappings().one()
        geometry = shapely.from_geojson(row["geometry"])
        shapely.prepare(geometry)
        return ControlSnapshot(row["date"], row["party"], geometry, row["source"], row["sha256"])


# --- clusters ----------------------------------------------------------------------------------


def recluster(
    conn: Connection,
    *,
    params: ClusterParams | None = None,
    claim_params: ClaimCheckParams | None = None,
    occupying_party: str = "RU",
    at: datetime | None = None,
    link_km: float = 10,
    link_days: int = 1,
) -> list[dict]:
    """Cluster every incident, grade each cluster (a satellite thermal anomaly within link_km and
    link_days of a reported attack raises its credibility), check territorial claims against the
    stored snapshots, and replace the stored clusters with the result. Returns the clusters as JSON."""
    items = list(iter_incidents(conn))
    found = cluster_incidents(items, params)
    by_incident = incident_sources(conn, items)
    series = StoredSnapshots(conn, occupying_party)
    anomalies = AnomalyIndex(anomalies_between(conn), link_km, link_days)
    when = _now(at).isoformat()
    cluster_rows, member_rows, bodies = [], [], []
    for cluster in found:
        anchor = cluster.anchor
        links = anomalies.links(
            cluster.type.value,
            anchor.location.precision.value,
            anchor.location.lon,
            anchor.location.lat,
            datetime.fromtimestamp(cluster.t_start, KYIV).date(),  # reports are dated in Kyiv time
            datetime.fromtimestamp(max(cluster.t_end - 1, cluster.t_start), KYIV).date(),
        )
        grade = grade_members(cluster.members, by_incident)
        grade = corroborated_by_sensor(grade, [link.reason() for link in links])
        check = check_claim(anchor, series, claim_params)
        body = {
            **cluster.to_json(),
            "grade": grade.to_json(),
            "claim_check": check.to_json() if check else None,
            "thermal_anomalies": [k.to_json() for k in links],
        }
        anchor, loc = cluster.anchor, cluster.anchor.location
        cluster_rows.append(
            {
                "id": cluster.id,
                "type": cluster.type.value,
                "category": cluster.category,
                "date": anchor.date,
                "t_start": cluster.t_start,
                "t_end": cluster.t_end,
                "lon": loc.lon,
                "lat": loc.lat,
                "precision": loc.precision.value,
                "country": loc.country,
                "admin1": loc.admin1,
                "actor": cluster.actor,
                "status": cluster.status.value,
                "reliability": grade.reliability.value,
                "credibility": int(grade.credibility),
                "report_count": len(cluster.report_ids),
                "origin_count": len(grade.origins),
                "claim_verdict": check.verdict.value if check else None,
                "computed_at": when,
                "body": json.dumps(body, ensure_ascii=False, sort_keys=True),
            }
        )
        origins = {m.incident_id: m.origin for m in grade.members}
        member_rows += [
            {
                "cluster_id": cluster.id,
                "incident_id": reason["incident"],
                "position": n,
                "origin": origins[reason["incident"]],
                "reason": json.dumps(reason, ensure_ascii=False),
            }
            for n, reason in enumerate(cluster.reasons)
        ]
        bodies.append(body)
    conn.execute(delete(cluster_members))
    conn.execute(delete(clusters))
    if cluster_rows:
        conn.execute(insert(clusters), cluster_rows)
        conn.execute(insert(cluster_members), member_rows)
    return bodies


def stored_clusters(conn: Connection, *, category: str | None = None) -> list[dict]:
    query = select(clusters.c.body).order_by(clusters.c.t_start, clusters.c.id)
    if category:
        query = query.where(clusters.c.category == category)
    return [json.loads(body) for (body,) in conn.execute(query)]


def _cluster_of(conn: Connection, incident_ids: Sequence[str]) -> dict[str, str]:
    if not incident_ids:
        return {}
    query = select(cluster_members.c.incident_id, cluster_members.c.cluster_id).where(
        cluster_members.c.incident_id.in_(incident_ids)
    )
    return dict(conn.execute(query).all())


# --- cases -------------------------------------------------------------------------------------


def _case_row(case: flow.Case) -> dict:
    return {
        "id": case.id,
        "title": case.title,
        "state": case.state.value,
        "outcome": case.outcome.value if case.outcome else None,
        "category": case.category,
        "event_date": case.event_date,
        "zone": case.zone,
        "sector": case.sector,
        "alleged_by": case.alleged_by,
        "alleged_against": case.alleged_against,
        "assigned_to": case.assigned_to,
        "facts": case.facts.value if case.facts else None,
        "facts_rationale": case.facts_rationale,
        "attribution": case.attribution,
        "attribution_rationale": case.attribution_rationale,
        "protected": int(case.protected),
        "version": case.version,
        "opened_at": case.opened_at.isoformat(),
        "updated_at": case.updated_at.isoformat(),
        "body": json.dumps(case.to_json(), ensure_ascii=False, sort_keys=True),
    }


def _event_rows(
    case: flow.Case, events: Iterable[flow.CaseEvent], recorded_by: str | None = None
) -> list[dict]:
    """The audit rows of new acts. `at` is when the act happened (a past act may be recorded
    later); `details.recorded_at` and `details.recorded_by` keep when and by whom it was recorded."""
    recorded_at = datetime.now(UTC).replace(microsecond=0).isoformat()
    return [
        {
            "case_id": case.id,
            "seq": e.seq,
            "action": e.action.value,
            "from_state": e.from_state.value if e.from_state else None,
            "to_state": e.to_state.value,
            "actor": e.actor,
            "at": e.at.isoformat(),
            "reason": e.reason,
            "details": json.dumps(
                {**e.details, "recorded_at": recorded_at, "recorded_by": recorded_by or e.actor},
                ensure_ascii=False,
                sort_keys=True,
            ),
        }
        for e in events
    ]


def _save(
    conn: Connection, before: flow.Case | None, after: flow.Case, recorded_by: str | None = None
) -> flow.Case:
    if before is None:
        conn.execute(insert(cases).values(**_case_row(after)))
        if after.incident_ids:
            conn.execute(
                insert(case_incidents), [{"case_id": after.id, "incident_id": i} for i in after.incident_ids]
            )
    else:
        changed = conn.execute(
            update(cases)
            .where(cases.c.id == after.id, cases.c.version == before.version)
            .values(**_case_row(after))
        )
        if changed.rowcount != 1:
            raise UserError(f"case {after.id}", None, "the case changed while you worked on it; try again")
    new = after.events[before.version if before else 0 :]
    conn.execute(insert(case_events), _event_rows(after, new, recorded_by))
    return after


def load_case(conn: Connection, case_id: str) -> flow.Case:
    body = conn.execute(select(cases.c.body).where(cases.c.id == case_id)).scalar()
    if body is None:
        raise UserError(f"case {case_id}", None, "no such case")
    return flow.Case.from_json(json.loads(body))


def _next_case_id(conn: Connection) -> str:
    # Random, not sequential: a party that files case-0007 would learn that six cases came before
    # it, some of them the other party's protected allegations.
    while True:
        case_id = f"case-{secrets.token_hex(6)}"
        if conn.execute(select(cases.c.id).where(cases.c.id == case_id)).first() is None:
            return case_id


def open_case(
    conn: Connection,
    title: str,
    alleged_by: str,
    actor: str,
    reason: str,
    *,
    incident_ids: Sequence[str] = (),
    zone: str | None = None,
    sector: str | None = None,
    event_date: date | None = None,
    alleged_against: str | None = None,
    protected: bool = False,
    category: str | None = None,
    at: datetime | None = None,
    recorded_by: str | None = None,
) -> flow.Case:
    """Open a case for an alleged violation, optionally on stored incidents (their earliest date is
    the event date and their type the category, unless given)."""
    linked = []
    for incident_id in dict.fromkeys(incident_ids):
        body = conn.execute(select(incidents.c.body).where(incidents.c.id == incident_id)).scalar()
        if body is None:
            raise UserError(f"incident {incident_id}", None, "no such incident")
        linked.append(Incident.model_validate_json(body))
    if category is None:
        category = category_of(linked[0].type) if linked else "hostilities"
    if event_date is None and linked:
        event_date = min(i.date for i in linked)
    case = flow.open_case(
        _next_case_id(conn),
        title,
        alleged_by,
        actor,
        reason,
        _now(at),
        category=category,
        event_date=event_date,
        zone=zone,
        sector=sector,
        alleged_against=alleged_against,
        incident_ids=[i.id for i in linked],
        protected=protected,
    )
    return _save(conn, None, case, recorded_by)


def assign_case(
    conn: Connection,
    case_id: str,
    investigator: str,
    actor: str,
    reason: str,
    at: datetime | None = None,
    recorded_by: str | None = None,
) -> flow.Case:
    before = load_case(conn, case_id)
    return _save(conn, before, flow.assign(before, investigator, actor, reason, _now(at)), recorded_by)


def decide_case(
    conn: Connection,
    case_id: str,
    outcome: flow.CaseState | str,
    facts: flow.Facts | str,
    actor: str,
    reason: str,
    at: datetime | None = None,
    recorded_by: str | None = None,
) -> flow.Case:
    before = load_case(conn, case_id)
    try:
        outcome, facts = flow.CaseState(outcome), flow.Facts(facts)
    except ValueError as error:
        raise flow.IllegalTransition(case_id, str(error)) from error
    return _save(conn, before, flow.decide(before, outcome, facts, actor, reason, _now(at)), recorded_by)


def attribute_case(
    conn: Connection,
    case_id: str,
    party: str | None,
    actor: str,
    reason: str,
    at: datetime | None = None,
    recorded_by: str | None = None,
) -> flow.Case:
    before = load_case(conn, case_id)
    return _save(conn, before, flow.attribute(before, party, actor, reason, _now(at)), recorded_by)


def refer_case(
    conn: Connection,
    case_id: str,
    recipients: Sequence[str],
    actor: str,
    reason: str,
    at: datetime | None = None,
    recorded_by: str | None = None,
) -> flow.Case:
    before = load_case(conn, case_id)
    return _save(conn, before, flow.refer(before, recipients, actor, reason, _now(at)), recorded_by)


def reopen_case(
    conn: Connection,
    case_id: str,
    actor: str,
    reason: str,
    at: datetime | None = None,
    recorded_by: str | None = None,
) -> flow.Case:
    before = load_case(conn, case_id)
    return _save(conn, before, flow.reopen(before, actor, reason, _now(at)), recorded_by)


def list_cases(conn: Connection, *, state: str | None = None, zone: str | None = None) -> list[dict]:
    query = select(
        cases.c.id,
        cases.c.title,
        cases.c.state,
        cases.c.outcome,
        cases.c.category,
        cases.c.event_date,
        cases.c.zone,
        cases.c.sector,
        cases.c.assigned_to,
        cases.c.attribution,
        cases.c.updated_at,
    ).order_by(cases.c.id)
    if state:
        query = query.where(cases.c.state == state)
    if zone:
        query = query.where(cases.c.zone == zone)
    return [dict(row) for row in conn.execute(query).mappings()]


# --- evidence ----------------------------------------------------------------------------------


def custody_chain(conn: Connection, sha256: str) -> list[CustodyEntry]:
    query = select(custody_events).where(custody_events.c.sha256 == sha256).order_by(custody_events.c.seq)
    return [CustodyEntry.from_row(row) for row in conn.execute(query).mappings()]


def record_custody(
    conn: Connection,
    sha256: str,
    action: str,
    holder: str,
    actor: str,
    note: str = "",
    *,
    case_id: str | None = None,
    at: datetime | None = None,
) -> CustodyEntry:
    """Append an act to an evidence item's chain of custody."""
    if conn.execute(select(evidence.c.sha256).where(evidence.c.sha256 == sha256)).first() is None:
        raise UserError(f"evidence {sha256[:12]}", None, "no such evidence")
    chain = custody_chain(conn, sha256)
    try:
        entry = custody_entry(
            chain[-1] if chain else None, sha256, action, holder, actor, _now(at), note, case_id
        )
    except ValueError as error:
        raise UserError(f"evidence {sha256[:12]}", None, str(error)) from error
    conn.execute(insert(custody_events).values(**entry.to_json()))
    return entry


def attach_evidence(
    conn: Connection,
    case_id: str,
    content: bytes,
    actor: str,
    reason: str,
    *,
    filename: str | None = None,
    media_type: str = "application/octet-stream",
    holder: str | None = None,
    at: datetime | None = None,
) -> tuple[flow.Case, str]:
    """Store a file by its SHA-256 (once, however often it is attached), attach it to the case and
    extend its chain of custody (received by `holder`, then attached). Returns (case, sha256)."""
    when = _now(at)
    digest = sha256_hex(content)
    before = load_case(conn, case_id)
    after = flow.attach_evidence(before, digest, actor, reason, when)
    if conn.execute(select(evidence.c.sha256).where(evidence.c.sha256 == digest)).first() is None:
        conn.execute(
            insert(evidence).values(
                sha256=digest,
                size=len(content),
                media_type=media_type,
                filename=filename,
                added_at=when.isoformat(),
                content=content,
            )
        )
    keeper = (holder or actor).strip()
    chain = custody_chain(conn, digest)
    if not chain:
        record_custody(
            conn, digest, "received", keeper, actor, f"received as {filename or 'a file'}", at=when
        )
    elif chain[-1].holder != keeper:
        record_custody(conn, digest, "transferred", keeper, actor, "for the case", case_id=case_id, at=when)
    record_custody(conn, digest, "attached", keeper, actor, reason, case_id=case_id, at=when)
    conn.execute(insert(case_evidence).values(case_id=case_id, sha256=digest, attached_at=when.isoformat()))
    _save(conn, before, after)
    return after, digest


def _evidence_report(conn: Connection, digest: str) -> dict:
    row = conn.execute(select(evidence).where(evidence.c.sha256 == digest)).mappings().one()
    chain = custody_chain(conn, digest)
    problems = verify_custody(chain)
    if not verify_content(row["content"], digest):
        problems.append("stored content does not match its SHA-256")
    return {
        "sha256": digest,
        "filename": row["filename"],
        "media_type": row["media_type"],
        "size": row["size"],
        "custody": [e.to_json() for e in chain],
        "custody_intact": not problems,
        "problems": problems,
    }


# --- show --------------------------------------------------------------------------------------


def show_case(conn: Connection, case_id: str) -> dict:
    """The case, its audit trail (from the append-only events table), evidence with custody checks,
    and the clusters its incidents now belong to."""
    case = load_case(conn, case_id)
    trail = [
        dict(row) | {"details": json.loads(row["details"])}
        for row in conn.execute(
            select(case_events).where(case_events.c.case_id == case_id).order_by(case_events.c.seq)
        ).mappings()
    ]
    data = case.to_json()
    data["events"] = trail
    data["audit_consistent"] = [e["seq"] for e in trail] == list(range(1, case.version + 1))
    data["evidence"] = [_evidence_report(conn, digest) for digest in case.evidence]
    data["clusters"] = _cluster_of(conn, list(case.incident_ids))
    return data


# --- quiet -------------------------------------------------------------------------------------


def verified_violations(conn: Connection, *, include_interference: bool = False) -> list[Violation]:
    query = select(cases.c.id, cases.c.event_date, cases.c.zone, cases.c.sector, cases.c.category).where(
        cases.c.outcome == flow.CaseState.verified_violation.value
    )
    found = []
    for row in conn.execute(query).mappings():
        if row["event_date"] is None or (row["category"] == "interference" and not include_interference):
            continue
        found.append(Violation(row["event_date"], row["zone"], row["sector"], row["id"]))
    return found


def quiet(
    conn: Connection,
    *,
    as_of: date | None = None,
    since: date | None = None,
    zone: str | None = None,
    required: int = 7,
) -> list[QuietCount]:
    """Quiet-day counters from verified violations. `since` (e.g. the ceasefire's start) defaults
    to the earliest event date of any case; zones and sectors named by any case are listed."""
    as_of = as_of or datetime.now(UTC).date()
    rows = conn.execute(select(cases.c.event_date, cases.c.zone, cases.c.sector)).all()
    dates = [r[0] for r in rows if r[0] is not None]
    start = since or min(dates, default=as_of)
    start = min(start, as_of)
    counts = quiet_counters(
        verified_violations(conn),
        as_of,
        start,
        zones={r[1] for r in rows if r[1]},
        sectors={r[2] for r in rows if r[2]},
        required=required,
    )
    if zone is not None:
        counts = [c for c in counts if c.scope == "zone" and c.name == zone] or [
            quiet_counters([], as_of, start, zones=[zone], required=required)[1]
        ]
    return counts


# --- interference ------------------------------------------------------------------------------


def record_interference(
    conn: Connection,
    kind: InterferenceKind | str,
    day: date,
    location: Location,
    reported_by: str,
    description: str,
    *,
    actor: str | None = None,
    time: datetime | None = None,
) -> Incident:
    """Record interference a monitor team met: stored as a report (the record as canonical JSON)
    from the team's source and one incident from it."""
    try:
        kind = InterferenceKind(kind)
    except ValueError as error:
        raise UserError(None, None, f"unknown interference kind {kind!r}") from error
    record = {
        "kind": kind.value,
        "date": day.isoformat(),
        "time": time.isoformat() if time else None,
        "location": location.model_dump(mode="json"),
        "reported_by": reported_by,
        "actor": actor,
        "description": description,
    }
    content = canonical.dumps(record)
    source_id = ensure_source(
        conn,
        f"monitor:{reported_by}",
        reported_by,
        kind=SourceKind.monitor_patrol.value,
        reliability=Reliability.B.value,
    )
    report_id, new = add_report(conn, content, "json", None, source_id, day)
    incident = interference_incident(
        f"int-{sha256_hex(content)[:16]}", kind, day, location, source_id, description, actor=actor, time=time
    )
    if new:
        add_incidents(conn, report_id, [incident])
    return incident.model_copy(update={"report_id": report_id})


def interference_clusters(conn: Connection, leave_out: AbstractSet[str] = frozenset()) -> list[Cluster]:
    """Every interference incident stored, clustered into events; those of `leave_out` left out
    before clustering (a public report's protected allegations: neither counted nor let swell a
    public event's reports)."""
    items = iter_incidents(conn, types=(str(t) for t in INTERFERENCE_TYPES))
    return cluster_incidents([i for i in items if i.id not in leave_out])


def interference_report(conn: Connection, start: date | None = None, end: date | None = None) -> dict:
    """Interference with monitors in [start, end], one row per event (clustered), by kind."""
    return interference_summary(interference_clusters(conn), start, end)
