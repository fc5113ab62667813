"""Reports: submit structured incidents or text; read back the reports the caller may see."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy import select

from truce.api.deps import PageParams, context, page_params, requires, writing
from truce.api.paging import Keyset, fetch_page
from truce.api.policy import Action, Actor, Resource, Role, can_see_report
from truce.api.problems import not_found, unprocessable
from truce.api.responses import ok
from truce.api.schemas.common import Page
from truce.api.schemas.incidents import SourceView
from truce.api.schemas.reports import ReportIn, ReportMonitor, ReportParty, ReportReceipt, TextReportIn
from truce.api.submissions import Prepared, prepare_structured, prepare_text, store_submission
from truce.api.views import sources_for
from truce.store.api_tables import api_report_access
from truce.store.records import iter_report_bytes
from truce.store.schema import incidents, reports
from truce.verify.grading import source_view

router = APIRouter(prefix="/reports", tags=["reports"])
AnyReport = ReportMonitor | ReportParty
NEWEST_FIRST = Keyset.of(reports.c.received_at, reports.c.id, descending=True)  # ix_reports_received_id


def _store(request: Request, actor: Actor, prepared: Prepared) -> JSONResponse:
    ctx = context(request)
    with writing(request, actor, Resource.reports, "create") as (conn, note):
        receipt = store_submission(conn, ctx, prepared)
        note.resource_id, note.status = receipt.report_id, 201 if receipt.new else 200
    if receipt.case_id and receipt.new:
        ctx.log.publish()  # the allegation's case was opened: its first act goes into the log
    location = str(request.url_for("get_report", report_id=receipt.report_id))
    return JSONResponse(
        receipt.model_dump(mode="json"), status_code=note.status, headers={"Location": location}
    )


@router.post(
    "",
    response_model=ReportReceipt,
    status_code=201,
    responses={200: {"model": ReportReceipt, "description": "the same report again: nothing changed"}},
    summary="Submit incidents as JSON (a party's are its protected allegations)",
)
def submit_report(
    request: Request, payload: ReportIn, actor: Actor = Depends(requires(Action.create, Resource.reports))
) -> JSONResponse:
    return _store(request, actor, prepare_structured(actor, payload))


@router.post(
    "/text",
    response_model=ReportReceipt,
    status_code=201,
    responses={200: {"model": ReportReceipt, "description": "the same report again: nothing changed"}},
    summary="Submit a news text or statement; incidents are extracted from it",
)
def submit_text(
    request: Request, payload: TextReportIn, actor: Actor = Depends(requires(Action.create, Resource.reports))
) -> JSONResponse:
    limit = context(request).settings.max_text_chars
    if len(payload.text) > limit:
        raise unprocessable(f"a text report holds at most {limit} characters; ingest longer texts as files")
    return _store(request, actor, prepare_text(actor, payload, context(request).extractor))


def _report_select(actor: Actor):  # noqa: ANN202 — a SQLAlchemy Select
    query = select(
        reports.c.id,
        reports.c.sha256,
        reports.c.format,
        reports.c.filename,
        reports.c.received_at,
        reports.c.published_on,
        reports.c.size,
        reports.c.source_id,
        api_report_access.c.owner_party,
        api_report_access.c.protected,
        api_report_access.c.submitted_by,
    ).select_from(reports.outerjoin(api_report_access, api_report_access.c.report_id == reports.c.id))
    if not actor.is_mission:
        query = query.where(api_report_access.c.owner_party == actor.party)
    return query


def _present(conn, actor: Actor, rows: list) -> list:  # noqa: ANN001
    ids = [r.id for r in rows]
    by_report: dict[str, list[str]] = {i: [] for i in ids}
    if ids:
        for rid, iid in conn.execute(
            select(incidents.c.report_id, incidents.c.id)
            .where(incidents.c.report_id.in_(ids))
            .order_by(incidents.c.id)
        ):
            by_report[rid].append(iid)
    known = sources_for(conn, (r.source_id for r in rows), ())
    out = []
    for r in rows:
        base = {
            "id": r.id,
            "sha256": r.sha256,
            "format": r.format,
            "received_at": r.received_at,
            "published_on": r.published_on,
            "size": r.size,
            "protected": bool(r.protected),
            "owner_party": r.owner_party,
            "incident_ids": by_report[r.id],
        }
        if actor.is_mission:
            source = known.get(r.source_id)
            role = "monitor" if actor.role is Role.monitor else "analyst"
            out.append(
                ReportMonitor(
                    **base,
                    filename=r.filename,
                    submitted_by=r.submitted_by,
                    source=SourceView(**source_view(source, role)) if source else None,
                )
            )
        else:
            out.append(ReportParty(**base))
    return out


@router.get(
    "",
    response_model=None,
    responses={200: {"model": Page[AnyReport]}},
    summary="Reports: all for mission staff, a party's own for its liaisons",
)
def list_reports(
    request: Request,
    actor: Actor = Depends(requires(Action.read, Resource.reports)),
    page: PageParams = Depends(page_params),
) -> dict:
    query = _report_select(actor)
    with context(request).workspace.engine.connect() as conn:
        rows, paged = fetch_page(conn, request, query, NEWEST_FIRST, page)
        items = _present(conn, actor, rows)
    return ok(page.envelope(items, paged))


def _one(request: Request, actor: Actor, report_id: str):  # noqa: ANN202
    with context(request).workspace.engine.connect() as conn:
        row = conn.execute(_report_select(actor).where(reports.c.id == report_id)).first()
        if row is None or not can_see_report(actor, row.owner_party):
            raise not_found("report")
        return row, _present(conn, actor, [row])[0]


@router.get(
    "/{report_id}",
    response_model=None,
    responses={200: {"model": AnyReport}},
    summary="One report's metadata and incidents",
)
def get_report(
    request: Request, report_id: str, actor: Actor = Depends(requires(Action.read, Resource.reports))
) -> AnyReport:
    return _one(request, actor, report_id)[1]


@router.get(
    "/{report_id}/content",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}},
    summary="The report's stored bytes, exactly as hashed",
)
def get_report_content(
    request: Request, report_id: str, actor: Actor = Depends(requires(Action.read, Resource.reports))
) -> Response:
    _one(request, actor, report_id)
    workspace = context(request).workspace
    with workspace.engine.connect() as conn:
        size = conn.execute(select(reports.c.size).where(reports.c.id == report_id)).scalar_one()

    def pieces() -> Iterator[bytes]:  # a large report goes out piece by piece, never whole in memory
        with workspace.engine.connect() as conn:
            yield from iter_report_bytes(conn, report_id)

    return StreamingResponse(
        pieces(),
        media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="{report_id}"', "Content-Length": str(size)},
    )
