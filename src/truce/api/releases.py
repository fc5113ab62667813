"""What an export file holds, by who it is for: `truce export --public` (the default, for
publishing) writes what the public may see through the API, nothing more; `--internal` writes
everything the mission holds, with each protected row marked so it is not published by mistake."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import Connection, select

from truce.api.policy import PUBLIC
from truce.api.routers.findings import present_findings
from truce.api.views import incident_select, present_incidents
from truce.model import Incident
from truce.store.api_tables import api_report_access
from truce.store.records import findings_between, incidents_between
from truce.store.schema import findings, incidents, reports, sources

__all__ = ["PROTECTED_MARK", "as_incidents", "internal_records", "public_records"]

PROTECTED_MARK = "[PROTECTED - NOT FOR PUBLICATION]"


def as_incidents(views: list[dict]) -> list[Incident]:
    """Views (dicts of a role's incident fields) as Incident objects for the exporters."""
    fields = set(Incident.model_fields)
    return [Incident.model_validate({k: v for k, v in view.items() if k in fields}) for view in views]


def _findings(conn: Connection, since: date | None = None, until: date | None = None) -> list[dict]:
    query = select(findings.c.body).order_by(findings.c.date, findings.c.provision_id, findings.c.id)
    return [json.loads(body) for (body,) in conn.execute(findings_between(query, since, until))]


def public_records(
    conn: Connection, with_findings: bool, since: date | None = None, until: date | None = None
) -> tuple[list[Incident], list[dict] | None]:
    """Incidents and findings exactly as the anonymous public sees them through the API (those of
    the Kyiv days since..until when given)."""
    query = incidents_between(incident_select(PUBLIC), since, until)
    rows = conn.execute(query.order_by(incidents.c.t_start, incidents.c.id)).all()
    found = present_findings(conn, PUBLIC, _findings(conn, since, until)) if with_findings else None
    return as_incidents(present_incidents(conn, PUBLIC, rows)), found


def _protected(conn: Connection) -> dict[str, str]:
    """Incident id -> why it is protected (a party's allegation, or a protected source)."""
    joined = (
        incidents.join(reports, reports.c.id == incidents.c.report_id)
        .outerjoin(api_report_access, api_report_access.c.report_id == incidents.c.report_id)
        .outerjoin(sources, sources.c.id == reports.c.source_id)
    )
    query = select(
        incidents.c.id, api_report_access.c.protected, api_report_access.c.owner_party, sources.c.protected
    ).select_from(joined)
    marks = {}
    for incident_id, allegation, party, source in conn.execute(query):
        if allegation:
            marks[incident_id] = f"{PROTECTED_MARK} allegation of {party or 'the mission'}"
        elif source:
            marks[incident_id] = f"{PROTECTED_MARK} protected source"
    return marks


def internal_records(
    conn: Connection, with_findings: bool, since: date | None = None, until: date | None = None
) -> tuple[list[Incident], list[dict] | None]:
    """Everything (of since..until), with protected incidents' notes (a column in every format) and
    the rationale of findings resting on them starting with PROTECTED_MARK."""
    marks = _protected(conn)
    items = []
    query = incidents_between(select(incidents.c.body), since, until)
    for (body,) in conn.execute(query.order_by(incidents.c.t_start, incidents.c.id)):
        incident = Incident.model_validate_json(body)
        if incident.id in marks:
            note = f"{marks[incident.id]}. {incident.note or ''}".strip()
            incident = incident.model_copy(update={"note": note})
        items.append(incident)
    found = None
    if with_findings:
        found = []
        for finding in _findings(conn, since, until):
            if any(i in marks for i in finding.get("incident_ids", [])):
                finding = {**finding, "rationale": f"{PROTECTED_MARK} {finding.get('rationale', '')}"}
            found.append(finding)
    return items, found
