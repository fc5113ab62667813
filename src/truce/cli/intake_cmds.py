"""`truce ingest` and `truce export`: reports in, incidents and findings out."""

from __future__ import annotations

from pathlib import Path

import typer

from truce.cli.main import app, state
from truce.cli.output import console, print_json, progress_bar
from truce.intake.ingest import ingest_file
from truce.intake.mapping import load_mapping, mapping_from_options
from truce.publish.exports import FORMATS_WITH_FINDINGS, export
from truce.publish.ledger import publish
from truce.store import open_workspace
from truce.store.records import iter_incidents, stored_findings

__all__ = ["export_cmd", "ingest"]


@app.command()
def ingest(
    files: list[Path] = typer.Argument(
        ..., help="Files to ingest; each is one report, stored whole or not at all."
    ),
    fmt: str = typer.Option(
        "csv", "--format", "-f", help="csv, geojson, jsonl, acled, text, html or telegram."
    ),
    mapping_file: Path = typer.Option(
        None, "--mapping", help="A column mapping file (YAML or JSON) for any CSV."
    ),
    maps: list[str] = typer.Option([], "--map", help="our_field=their_column, for a CSV in another layout."),
    source: str = typer.Option(None, "--source", help="The source these reports come from (its id)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Store files as immutable reports and their incidents; the same bytes again change nothing."""
    workspace = open_workspace(state["db"])
    mapping = load_mapping(mapping_file) if mapping_file else None
    if maps:
        mapping = mapping_from_options(maps, mapping)
    results = []
    with progress_bar() as bar:
        task = bar.add_task("ingesting", total=None)

        def progress(stage: str, done: int, total: int) -> None:
            bar.update(task, description=stage, completed=done, total=total)

        for path in files:
            outcome = ingest_file(workspace, path, fmt, mapping=mapping, source_id=source, progress=progress)
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
        verb = "ingested" if row["new"] else "already ingested"
        console.print(f"{verb} {row['file']}: report {row['report_id']}, {row['incidents']} incidents")


@app.command("export")
def export_cmd(
    output: Path = typer.Argument(..., help="The file to write (replaced atomically)."),
    fmt: str = typer.Option("geojson", "--format", "-f", help="geojson, csv, acled or gpkg."),
    with_findings: bool = typer.Option(
        True, "--findings/--no-findings", help="Include findings (GeoJSON and GeoPackage only)."
    ),
) -> None:
    """Export the stored incidents (and findings) for GIS, spreadsheets or ACLED tooling."""
    workspace = open_workspace(state["db"])
    with workspace.engine.connect() as conn:
        incidents = list(iter_incidents(conn))
        findings = stored_findings(conn) if with_findings and fmt in FORMATS_WITH_FINDINGS else None
    count = export(fmt, incidents, output, findings=findings)
    console.print(f"wrote {count} records to {output}")
