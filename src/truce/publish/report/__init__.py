"""The numbered daily report, in the shape of the OSCE monitoring mission's: figures assembled from
the store as of a cut-off (figures), written as HTML with an SVG map and charts, Markdown or JSON
(render), in English, Ukrainian or Russian (i18n), and printed to PDF by headless Chromium (pdf).
See docs/report.md."""

from __future__ import annotations

import datetime as dt

from truce.errors import UserError
from truce.publish.report.figures import CUT_OFF_TIME, ReportData, build_report, report_number
from truce.publish.report.i18n import LANGUAGES, labels_for
from truce.publish.report.pdf import chromium_path, html_to_pdf
from truce.publish.report.render import render_html, render_json, render_markdown
from truce.store import Workspace

__all__ = [
    "CUT_OFF_TIME",
    "FORMATS",
    "LANGUAGES",
    "ReportData",
    "build_report",
    "chromium_path",
    "html_to_pdf",
    "labels_for",
    "render",
    "render_html",
    "render_json",
    "render_markdown",
    "report_number",
    "write_report",
]

FORMATS = ("html", "pdf", "md", "json")


def render(data: ReportData, fmt: str, lang: str = "en") -> bytes:
    """The report in one format and language, as bytes (UTF-8 for the text formats)."""
    labels_for(lang)  # an unknown language is a user error before any work is done
    if fmt == "html":
        return render_html(data, lang).encode()
    if fmt == "md":
        return render_markdown(data, lang).encode()
    if fmt == "json":
        return render_json(data).encode()
    if fmt == "pdf":
        return html_to_pdf(render_html(data, lang))
    raise UserError(None, None, f"unknown report format {fmt!r}; one of {', '.join(FORMATS)}")


def write_report(
    workspace: Workspace, day: dt.date, fmt: str, lang: str = "en", *, agreement_id: str | None = None
) -> bytes:
    """Publish to the log, assemble the figures for `day`, and render them."""
    if fmt not in FORMATS:
        raise UserError(None, None, f"unknown report format {fmt!r}; one of {', '.join(FORMATS)}")
    labels_for(lang)
    return render(build_report(workspace, day, agreement_id=agreement_id), fmt, lang)
