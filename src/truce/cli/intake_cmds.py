"""`truce ingest`, `truce reextract` and `truce export`: reports in, incidents and findings out."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import typer

from truce.cli.main import app, state
from truce.cli.output import (
    SCHEDULER_HELP,
    WORKERS_HELP,
    console,
    dask_runner,
    one_of,
    parse_day,
    print_json,
    progress_bar,
)
from truce.errors import UserError
from truce.intake.ingest import ingest_file
from truce.intake.mapping import load_mapping, mapping_from_options, with_date_format
from truce.pipeline import TEXT_FORMATS, guess_format, ingest_formats, ingest_text
from truce.publish.exports import FORMATS_WITH_FINDINGS, export
from truce.publish.ledger import publish
from truce.sensors.store import ingest_firms
from truce.store import open_workspace

__all__ = ["export_cmd", "ingest", "reextract"]




@app.command()
def ingest(
    files: list[Path] = typer.Argument(
        ..., help="Files to ingest; each is one report, stored whole or not at all."
    ),
    fmt: str = typer.Option(
        None,
        "--format",
        "-f",
        help=f"{', '.join(ingest_formats())} (default: from the extension, as extract does).",
    ),
    mapping_file: Path = typer.Option(
        None, "--mapping", help="A column mapping file (YAML or JSON) for any CSV."
    ),
    maps: list[str] = typer.Option([], "--map", help="our_field=their_column, for a CSV in another layout."),
    date_format: str = typer.Option(
        None, "--date-format", help="How the file writes dates, as a strftime pattern: '%d/%m/%Y'."
    ),
    source: str = typer.Option(None, "--source", help="The source these reports come from (its id)."),
    published: str = typer.Option(None, "--published", help="Publication date for text without a dateline."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    workers: int = typer.Option(None, "--workers", help=WORKERS_HELP + " Text formats only."),
    scheduler: str = typer.Option(None, "--scheduler", help=SCHEDULER_HELP + " Text formats only."),
) -> None:
    """Store files as immutable reports and their incidents; the same bytes again change nothing.

    A text given again with another publication date is read again, the earlier reading kept."""
    if fmt is not None:
        one_of("--format", fmt, ingest_formats())
    formats = {path: fmt or guess_format(path) for path in files}  # every file's, before any is stored
    if (workers or scheduler) and any(f not in TEXT_FORMATS for f in formats.values()):
        raise UserError(None, None, f"--workers/--scheduler: only for {', '.join(TEXT_FORMATS)}")
    workspace = open_workspace(state["db"])
    mapping = load_mapping(mapping_file) if mapping_file else None
    if maps:
        mapping = mapping_from_options(maps, mapping)
    if date_format:
        mapping = with_date_format(mapping, date_format)
    results = []
    with dask_runner(workers, scheduler) as runner, progress_bar() as bar:
        task = bar.add_task("ingesting", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        for path, file_fmt in formats.items():
            if file_fmt in TEXT_FORMATS:
                text = ingest_text(workspace, path, file_fmt, parse_day(published), source, runner)
                results.append(
                    {
                        "file": str(path),
                        "articles": text.articles,
                        "new": text.new_reports > 0,
                        "new_reports": text.new_reports,
                        "reread": text.reread,
                        "incidents": text.incidents,
                        "hint": text.hint(),
                    }
                )
                continue
            if file_fmt == "firms":  # satellite detections: sensor observations, not incidents
                sensed = ingest_firms(workspace, path, source, progress=progress)
                results.append(
                    {
                        "file": str(path),
                        "report_id": sensed.report_id,
                        "new": sensed.new,
                        "incidents": 0,
                        "detections": sensed.detections,
                        "new_observations": sensed.stored,
                    }
                )
                continue
            outcome = ingest_file(
                workspace, path, file_fmt, mapping=mapping, source_id=source, progress=progress
            )
            results.append(
                {
                    "file": str(path),
                    "report_id": outcome.report_id,
                    "new": outcome.new,
                    "incidents": outcome.incidents,
                    "skipped": outcome.skipped,
                }
            )
    publish(workspace)  # every report's digest goes into the log
    if as_json:
        print_json(results)
        return
    for row in results:
        verb = "ingested" if row["new"] else "re-read" if row.get("reread") else "already ingested"
        what = f"{row['articles']} articles" if "articles" in row else f"report {row['report_id']}"
        if "detections" in row:
            console.print(f"{verb} {row['file']}: {what}, {row['detections']} satellite detections")
            continue
        console.print(f"{verb} {row['file']}: {what}, {row['incidents']} incidents{_skipped_text(row)}")
        if row.get("hint"):
            console.print(f"  {row['hint']}")


def _skipped_text(row: dict) -> str:
    """ "; skipped 3 records that are not incidents (finding: 3)" when the reader skipped any."""
    skipped = row.get("skipped") or {}
    if not skipped:
        return ""
    reasons = ", ".join(f"{reason}: {count}" for reason, count in sorted(skipped.items()))
    return f"; skipped {sum(skipped.values())} records that are not incidents ({reasons})"


@app.command()
def reextract(
    since: str = typer.Option(None, "--since", help="Only reports published on or after this day."),
    workers: int = typer.Option(None, "--workers", help=WORKERS_HELP),
    scheduler: str = typer.Option(None, "--scheduler", help=SCHEDULER_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Run the current extractor over stored text reports again, keeping earlier incident versions."""
    from truce.pipeline import reextract as run

    day = parse_day(since, "--since")
    workspace = open_workspace(state["db"])
    with dask_runner(workers, scheduler) as runner, progress_bar() as bar:
        task = bar.add_task("re-extracting", total=None)
        step = lambda done, total: bar.update(task, completed=done, total=total)  # noqa: E731
        result = run(workspace, day, runner, step)
    published = publish(workspace)  # each replaced version's digest goes into the log
    if as_json:
        print_json({**dataclasses.asdict(result), "log_size": published.size})
        return
    console.print(
        f"re-read {result.reports} text reports with {result.extractor}: {result.changed} changed "
        f"({result.incidents} incidents now; earlier versions kept); run `truce assess` to update findings"
    )


@app.command("export")
def export_cmd(
    output: Path = typer.Argument(..., help="The file to write (replaced atomically)."),
    fmt: str = typer.Option(
        "geojson", "--format", "-f", help="geojson, geojson-flat (two flat layers), csv, acled or gpkg."
    ),
    with_findings: bool = typer.Option(
        True, "--findings/--no-findings", help="Include findings (GeoJSON and GeoPackage formats only)."
    ),
    since: str = typer.Option(None, "--since", help="Only incidents and findings from this Kyiv day on."),
    until: str = typer.Option(None, "--until", help="… up to this Kyiv day (included)."),
    public: bool = typer.Option(
        True,
        "--public/--internal",
        help="--public (default): only what the public may see, as the API shows it, for publishing. "
        "--internal: everything, protected rows marked [PROTECTED - NOT FOR PUBLICATION].",
    ),
) -> None:
    """Export the stored incidents (and findings) for GIS, spreadsheets or ACLED tooling."""
    from truce.api.releases import internal_records, public_records  # the API's views of the store

    first, last = parse_day(since, "--since"), parse_day(until, "--until")
    if first and last and first > last:
        raise UserError(None, None, f"--since {first} is after --until {last}")
    workspace = open_workspace(state["db"])
    checkpoint = publish(workspace).checkpoint  # the export says which log state it was built from
    records = public_records if public else internal_records
    with workspace.engine.connect() as conn:
        incidents, findings = records(conn, with_findings and fmt in FORMATS_WITH_FINDINGS, first, last)
    count = export(fmt, incidents, output, findings=findings, checkpoint=checkpoint)
    console.print(f"wrote {count} {'public' if public else 'internal'} records to {output}")
