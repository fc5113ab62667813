"""Orchestration that spans stages: what the CLI, the API and the demo share. Stages stay pure; this
module moves their results into the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from truce.errors import UserError
from truce.extract import iter_reports
from truce.intake.registry import READERS
from truce.parallel import Runner
from truce.store import Workspace
from truce.store.records import add_incidents, add_report, ensure_source

__all__ = ["TEXT_FORMATS", "TextIngestResult", "guess_format", "ingest_formats", "ingest_text"]

# The text formats `truce ingest` reads article by article (extract's own JSON Lines of documents
# is not one: for ingest, .jsonl is incidents).
TEXT_FORMATS = ("text", "html", "telegram")

_BY_SUFFIX = {
    ".geojson": "geojson",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".txt": "text",
    ".md": "text",
    ".text": "text",
}


def ingest_formats() -> tuple[str, ...]:
    """Every format `truce ingest` reads: the structured readers, then the text formats."""
    return tuple(dict.fromkeys((*READERS, *TEXT_FORMATS)))


def _head(path: Path, size: int = 4096) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(size).decode("utf-8-sig", errors="replace")
    except OSError as error:
        raise UserError(str(path), None, f"cannot read: {error.strerror}") from None


def guess_format(path: str | Path) -> str:
    """The format of a file from its extension, as `truce extract` does, looking inside where one
    extension serves two formats: an ACLED export is a CSV with event_id_cnty in its header, and
    a .json file is GeoJSON if it is a Feature(Collection), else a Telegram export."""
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    if suffix in (".csv", ".tsv"):
        header = _head(p).splitlines()[0] if _head(p) else ""
        return "acled" if "event_id_cnty" in header else "csv"
    if suffix == ".json":
        return "geojson" if '"Feature' in _head(p) else "telegram"
    known = ", ".join(ingest_formats())
    raise UserError(str(p), None, f"cannot tell the format from the name; pass --format, one of {known}")


@dataclass
class TextIngestResult:
    articles: int
    new_reports: int
    incidents: int
    undated: int = 0  # articles with no publication date found (no dateline, no --published)

    def hint(self) -> str | None:
        """Why a text gave no incident, and what to do, for the person who ingested it."""
        if self.incidents or not self.articles:
            return None
        if self.undated:
            return (
                f"{self.undated} of {self.articles} articles have no dateline truce recognises, so their "
                "events cannot be dated: ingest again with --published YYYY-MM-DD (a new reading of the "
                "same report, which supersedes this one)"
            )
        return (
            "no attack, strike, clash or other incident with a place truce knows was recognised in the text"
        )


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
    undated = sum(1 for report in reports if report.published is None)
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
    return TextIngestResult(len(reports), new, stored, undated)
