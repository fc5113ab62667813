"""`truce geo import-control|import-gazetteer` and `truce territory`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from truce.assess.snapshots import save_snapshot
from truce.cli.main import app, state
from truce.cli.output import console, print_json, progress_bar
from truce.geo.control import load_snapshot
from truce.store import open_workspace

__all__ = ["import_control"]

geo_app = typer.Typer(help="Reference geography: control snapshots and the gazetteer.", no_args_is_help=True)
app.add_typer(geo_app, name="geo")


@geo_app.command("import-control")
def import_control(
    files: list[Path] = typer.Argument(..., help="DeepState-style files or any GeoJSON (Multi)Polygon."),
    date: str = typer.Option(None, "--date", help="The date, when the file does not carry one."),
    party: str = typer.Option(None, "--party", help="Who controls the area (default: the file's, or RU)."),
    as_json: bool = typer.Option(False, "--json", help="Print what was imported as JSON."),
) -> None:
    """Import control snapshots (all files parse before anything is written)."""
    when = dt.date.fromisoformat(date) if date else None
    workspace = open_workspace(state["db"])
    snapshots = []
    with progress_bar() as bar:
        task = bar.add_task("reading snapshots", total=len(files))
        for path in files:
            snapshots.append(load_snapshot(path, date=when, party=party))
            bar.advance(task)
    with workspace.engine.begin() as conn:
        results = [save_snapshot(conn, snap) for snap in snapshots]
    if as_json:
        print_json(results)
        return
    for row in results:
        verb = "imported" if row["changed"] else "unchanged"
        console.print(f"{verb} {row['date']} {row['party']}: {row['area_km2']:,.1f} km²")
