"""The numbered daily report over HTTP, as the dashboard links it from the chosen day:

    GET /reports/{number}-{year}.{html|pdf}?lang=en|uk|ru&agreement=ID

Report 15-2026 is the fifteenth day of the ceasefire (15 January 2026 for an agreement in force from
1 January). It is the public report `truce report` writes, built without publishing first (a GET
never writes to the log): it names the latest checkpoint. Rendering is costly (a PDF starts
Chromium), so one report is rendered at a time and each is kept until the data change."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from typing import Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from truce.api.context import ApiContext
from truce.api.deps import context, requires
from truce.api.geodata import load_agreement_row, stored_agreements
from truce.api.policy import Action, Actor, Resource
from truce.api.problems import ProblemError, not_found
from truce.errors import UserError
from truce.store.verify_tables import cases

__all__ = ["report_day", "router"]

router = APIRouter(prefix="/reports", tags=["reports"])
_render_lock = threading.Lock()
MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def report_day(effective_day: dt.date, number: int, year: int) -> dt.date | None:
    """The day of report `number`/`year` (day 1 is the day the agreement took effect), or None if
    no such report can exist (before day 1, or a number that falls in another year)."""
    if number < 1 or number > 100_000:
        return None
    day = effective_day + dt.timedelta(days=number - 1)
    return day if day.year == year else None


def _cases_version(ctx: ApiContext) -> tuple:
    """Changes with every case act (a report lists the cases pending at its cut-off)."""
    with ctx.workspace.engine.connect() as conn:
        return tuple(conn.execute(select(func.count(), func.sum(cases.c.version))).one())


@router.get(
    "/{number}-{year}.{fmt}",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA.values()}}},
    summary="The numbered daily report (HTML or PDF) in English, Ukrainian or Russian",
)
def daily_report(
    request: Request,
    number: int,
    year: int,
    fmt: Literal["html", "pdf"],
    lang: Literal["en", "uk", "ru"] = Query("en"),
    agreement: str | None = Query(None, max_length=200),
    actor: Actor = Depends(requires(Action.read, Resource.findings)),
) -> Response:
    from truce.dashboard.data import data_version
    from truce.publish.report import build_report, render

    ctx = context(request)
    rows = stored_agreements(ctx)
    agreement_id = agreement or (rows[0]["id"] if rows else None)
    if agreement_id is None:
        raise not_found("agreement")
    terms = load_agreement_row(ctx, agreement_id).agreement
    effective_day = terms.effective.astimezone(zoneinfo.ZoneInfo(terms.timezone)).date()
    day = report_day(effective_day, number, year)
    if day is None or day > dt.datetime.now(zoneinfo.ZoneInfo(terms.timezone)).date():
        raise not_found(f"report {number}/{year}")

    def make() -> bytes:
        with _render_lock:
            data = build_report(ctx.workspace, day, agreement_id=agreement_id, publish_first=False)
            return render(data, fmt, lang)

    try:
        key = ("daily-report", agreement_id, day, fmt, lang, data_version(ctx), _cases_version(ctx))
        body = ctx.memo.get(key, make)
    except UserError as error:  # no Chromium to print the PDF with, or it failed
        raise ProblemError(503, f"the PDF cannot be printed here: {error}", kind="unavailable") from error
    filename = f"report-{number}-{year}-{lang}.{fmt}"
    disposition = "inline" if fmt == "html" else f'attachment; filename="{filename}"'
    return Response(body, media_type=MEDIA[fmt], headers={"Content-Disposition": disposition})
