"""Reports submitted through the API: structured incidents, or text for the extraction stage.

The stored report is the submission as RFC 8785 canonical JSON, including who submitted it, so the
same bytes from the same user are one report (a retried request is idempotent) while two users can
never collide on a report id (which would tell one of them that the other filed the same words).
Incident ids are made by the server from the report id. A party liaison's report is its party's
protected allegation; with `allegation` it also opens a (protected) case.

Order of writes: the report's digest goes into the log first (its own transaction), then the report,
its incidents, its access row, the case and the audit row in one transaction. See truce.api.logview.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import Connection, insert, select

from truce import canonical
from truce.api.context import ApiContext
from truce.api.extraction import TextExtractor
from truce.api.policy import Actor, Role
from truce.api.problems import ProblemError, forbidden, unprocessable
from truce.api.schemas.reports import AllegationIn, ReportIn, ReportReceipt, TextReportIn
from truce.model import Incident
from truce.store.api_tables import api_report_access
from truce.store.records import add_incidents, ensure_source, now_utc, report_id_for
from truce.store.schema import incidents, reports
from truce.verify import store as verify_store

__all__ = ["Prepared", "prepare_structured", "prepare_text", "store_submission"]


@dataclass
class Prepared:
    """A submission parsed and checked, ready to store (nothing written yet)."""

    content: bytes
    fmt: str
    incidents: list
    source_id: str
    source_kind: str
    owner_party: str | None
    protected: bool
    published_on: dt.date | None
    allegation: AllegationIn | None
    actor: Actor

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def report_id(self) -> str:
        return report_id_for(self.sha256)


def _who(actor: Actor, source: str | None) -> tuple[str, str, str | None, bool]:
    """(source id, source kind, owner party, protected) for a submission by `actor`."""
    if actor.role is Role.party_liaison:
        if source is not None:
            raise forbidden("a party's reports are its own: the server sets their source")
        return f"party:{actor.party}", "party_allegation", actor.party, True
    if source is not None:
        return source, "unknown", None, False
    return actor.label, "unknown", None, False


MISSION = "mission"


def _shown_source(source_id: str) -> str:
    """What an incident names as its source outside the mission: a staff member's own report is
    the mission's (OSCE practice: monitors are not named); the login stays on the report row."""
    return MISSION if source_id.startswith("user:") else source_id


def _incidents(report_id: str, items: list[dict], source_id: str) -> list:
    made = []
    for n, item in enumerate(items, 1):
        data = {**item, "id": f"{report_id}-{n:03d}"}
        data["source"] = data.get("source") or _shown_source(source_id)
        try:
            made.append(Incident.model_validate(data))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise unprocessable(f"incident {n}: {where}: {first['msg']}") from None
    return made


def _content(actor: Actor, kind: str, owner: str | None, body: dict) -> bytes:
    return canonical.dumps(
        {"format": f"truce-api-{kind}/1", "submitted_by": actor.label, "party": owner, **body}
    )


def prepare_structured(actor: Actor, payload: ReportIn) -> Prepared:
    source_id, kind, owner, protected = _who(actor, payload.source)
    items = [i.model_dump(mode="json", exclude_none=False) for i in payload.incidents]
    body = {
        "published_on": payload.published_on.isoformat() if payload.published_on else None,
        "incidents": items,
        "allegation": payload.allegation.model_dump(mode="json") if payload.allegation else None,
    }
    content = _content(actor, "report", owner, body)
    report_id = report_id_for(hashlib.sha256(content).hexdigest())
    made = _incidents(report_id, items, source_id)
    return Prepared(
        content,
        "api-json",
        made,
        source_id,
        kind,
        owner,
        protected,
        payload.published_on,
        payload.allegation,
        actor,
    )


def prepare_text(actor: Actor, payload: TextReportIn, extractor: TextExtractor) -> Prepared:
    """Extraction runs here, before any lock is taken, in the extractor's worker process with a
    time limit (truce.api.extraction): it is the slow part."""
    source_id, kind, owner, protected = _who(actor, payload.source)
    published = payload.published_on or dt.datetime.now(dt.UTC).date()
    body = {
        "published_on": published.isoformat(),
        "title": payload.title,
        "text": payload.text,
        "allegation": payload.allegation.model_dump(mode="json") if payload.allegation else None,
    }
    content = _content(actor, "text", owner, body)
    report_id = report_id_for(hashlib.sha256(content).hexdigest())
    text = f"{payload.title}\n\n{payload.text}" if payload.title else payload.text
    found = extractor.extract(text, report_id, published)
    for item in found:
        item.pop("id", None), item.pop("report_id", None)
    made = _incidents(report_id, found, source_id)
    return Prepared(
        content, "api-text", made, source_id, kind, owner, protected, published, payload.allegation, actor
    )


def _existing(conn: Connection, prepared: Prepared) -> ReportReceipt | None:
    row = conn.execute(select(reports).where(reports.c.sha256 == prepared.sha256)).mappings().first()
    if row is None:
        return None
    access = (
        conn.execute(select(api_report_access).where(api_report_access.c.report_id == row["id"]))
        .mappings()
        .first()
    )
    if access is None or access["submitted_by"] != prepared.actor.label:
        # Only the submitter's own retry can match (their name is in the bytes); anything else is
        # a report that came in another way: say nothing about it.
        raise ProblemError(409, "this report cannot be stored; change it and submit again", kind="conflict")
    ids = [
        r[0]
        for r in conn.execute(
            select(incidents.c.id).where(incidents.c.report_id == row["id"]).order_by(incidents.c.id)
        )
    ]
    return ReportReceipt(
        report_id=row["id"],
        sha256=row["sha256"],
        new=False,
        received_at=row["received_at"],
        incident_ids=ids,
        protected=bool(access["protected"]),
        owner_party=access["owner_party"],
    )


def store_submission(conn: Connection, ctx: ApiContext, prepared: Prepared) -> ReportReceipt:
    """Store a prepared submission (the caller holds the write lock and the transaction)."""
    if len(prepared.incidents) > ctx.settings.max_incidents_per_report:
        raise unprocessable(f"at most {ctx.settings.max_incidents_per_report} incidents per report")
    again = _existing(conn, prepared)
    if again is not None:
        return again
    report = {
        "id": prepared.report_id,
        "sha256": prepared.sha256,
        "format": prepared.fmt,
        "filename": None,
        "size": len(prepared.content),
        "received_at": now_utc(),
    }
    entry_id = None
    if ctx.settings.log_report_digests:
        entry = ctx.log.report_entry(report, prepared.protected)
        ctx.log.append_before_storing(entry, "report's digest")
        entry_id = entry["id"]
    ensure_source(conn, prepared.source_id, kind=prepared.source_kind, party=prepared.owner_party)
    conn.execute(
        insert(reports).values(
            **report,
            source_id=prepared.source_id,
            published_on=prepared.published_on,
            content=prepared.content,
        )
    )
    add_incidents(conn, prepared.report_id, prepared.incidents)
    conn.execute(
        insert(api_report_access).values(
            report_id=prepared.report_id,
            owner_party=prepared.owner_party,
            protected=int(prepared.protected),
            submitted_by=prepared.actor.label,
            kind="text" if prepared.fmt == "api-text" else "structured",
            submitted_at=report["received_at"],
        )
    )
    case_id = None
    if prepared.allegation is not None:
        case_id = _open_allegation(conn, prepared)
    return ReportReceipt(
        report_id=prepared.report_id,
        sha256=prepared.sha256,
        new=True,
        received_at=report["received_at"],
        incident_ids=[i.id for i in prepared.incidents],
        protected=prepared.protected,
        owner_party=prepared.owner_party,
        case_id=case_id,
        log_entry_id=entry_id,
    )


def _open_allegation(conn: Connection, prepared: Prepared) -> str:
    a, actor = prepared.allegation, prepared.actor
    alleged_by = f"party:{actor.party}" if actor.role is Role.party_liaison else actor.label
    case = verify_store.open_case(
        conn,
        a.title,
        alleged_by,
        actor.label,
        a.reason,
        incident_ids=[i.id for i in prepared.incidents],
        zone=a.zone,
        sector=a.sector,
        alleged_against=a.alleged_against,
        protected=prepared.protected,
    )
    return case.id
