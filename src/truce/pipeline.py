"""Orchestration that spans stages: what the CLI, the API and the demo share. Stages stay pure; this
module moves their results into the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from truce.extract import iter_reports
from truce.parallel import Runner
from truce.store import Workspace
from truce.store.records import add_incidents, add_report, ensure_source

__all__ = ["TextIngestResult", "ingest_text"]


@dataclass
class TextIngestResult:
    articles: int
    new_reports: int
    incidents: int


def ingest_text(
    workspace: Workspace,
    path: str | Path,
    fmt: str | None = None,
    published: dt.date | None = None,
    source_id: str | None = None,
    runner: Runner | None = None,
) -> TextIngestResult:
    """Split a text, HTML or Telegram file into articles; store each as a report with its incidents,
    all in one transaction. An article already stored (same bytes) is left as it is. With a
    `runner`, documents are extracted on Dask workers and written here, in input order, by this
    one writer, so the store ends as a single-process run would leave it."""
    reports = list(iter_reports(path, fmt, published, runner))  # everything before any write
    new = stored = 0
    with workspace.engine.begin() as conn:
        if source_id:
            ensure_source(conn, source_id)
        for report in reports:
            name = f"{'stdin' if str(path) == '-' else Path(path).name}#{report.index + 1}"
            report_id, is_new = add_report(
                conn, report.data, fmt or "text", name, source_id, report.published
            )
            if not is_new:
                continue
            # Incident ids are made unique in the store by the report they come from.
            incidents = [
                i.model_copy(update={"id": f"{report_id}-{n}"})
                for n, i in enumerate(report.incidents, start=1)
            ]
            stored += add_incidents(conn, report_id, incidents)
            new += 1
    return TextIngestResult(len(reports), new, stored)
