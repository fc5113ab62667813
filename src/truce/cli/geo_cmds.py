"""`truce geo import-control|import-gazetteer` and `truce territory`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from truce.assess.snapshots import save_snapshot, snapshot_from_row
from truce.cli.main import app, state
from truce.cli.output import console, print_json, print_table, progress_bar
from truce.errors import UserError
from truce.geo.control import ControlSnapshot, bundled_snapshots, load_bundled, load_snapshot
from truce.geo.gazetteer import cache_dir, get_gazetteer, import_geonames_dump
from truce.geo.territory import territorial_change
from truce.store import open_workspace
from truce.store.records import stored_snapshot

__all__ = ["build_gazetteer", "import_control", "import_gazetteer", "territory"]

geo_app = typer.Typer(help="Reference geography: control snapshots and the gazetteer.", no_args_is_help=True)
app.add_typer(geo_app, name="geo")


def _day(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(None, None, f"{option}: expected a date YYYY-MM-DD, got {value!r}") from None


def _bundled_days(spec: list[str]) -> list[dt.date]:
    """The bundled snapshot days in FROM..TO (either end may be left out; one date is that day)."""
    if len(spec) > 1:
        raise UserError(
            None, None, "--bundled: expected at most one FROM..TO range, e.g. 2026-01-01..2026-01-31"
        )
    text = spec[0] if spec else ".."
    first, sep, last = text.partition("..")
    start = _day(first, "--bundled FROM") if first else dt.date.min
    end = _day(last, "--bundled TO") if last else (start if not sep else dt.date.max)
    days = [d for d in bundled_snapshots() if start <= d <= end]
    if not days:
        span = f"{min(bundled_snapshots())}..{max(bundled_snapshots())}"
        raise UserError(None, None, f"--bundled: no bundled snapshot in {text}; the package has {span}")
    return days


@geo_app.command("import-control")
def import_control(
    files: list[str] = typer.Argument(
        None, help="DeepState-style files or any GeoJSON (Multi)Polygon; with --bundled, FROM..TO."
    ),
    bundled: bool = typer.Option(
        False, "--bundled", help="Import the snapshots packaged with truce (all, or the days FROM..TO)."
    ),
    date: str = typer.Option(None, "--date", help="The date, when the file does not carry one."),
    party: str = typer.Option(None, "--party", help="Who controls the area (default: the file's, or RU)."),
    as_json: bool = typer.Option(False, "--json", help="Print what was imported as JSON."),
) -> None:
    """Import control snapshots (all files parse before anything is written)."""
    files = files or []
    if bundled:
        days = _bundled_days(files)
        loaders = [(str(d), lambda d=d: load_bundled(d)) for d in days]
    elif not files:
        raise UserError(None, None, "give snapshot files to import, or --bundled for the packaged ones")
    else:
        when = _day(date, "--date") if date else None
        loaders = [(p, lambda p=p: load_snapshot(Path(p), date=when, party=party)) for p in files]
    workspace = open_workspace(state["db"])
    snapshots = []
    with progress_bar() as bar:
        task = bar.add_task("reading snapshots", total=len(loaders))
        for _, load in loaders:
            snapshots.append(load())
            bar.advance(task)
    with workspace.engine.begin() as conn:
        results = [save_snapshot(conn, snap) for snap in snapshots]
    if as_json:
        print_json(results)
        return
    for row in results:
        verb = "imported" if row["changed"] else "unchanged"
        console.print(f"{verb} {row['date']} {row['party']}: {row['area_km2']:,.1f} km²")


def _snapshot_for(day: dt.date, party: str) -> ControlSnapshot:
    """The workspace's snapshot of that exact day, else the bundled one, else a user error."""
    with open_workspace(state["db"]).engine.connect() as conn:
        row = stored_snapshot(conn, day, party)
    if row is not None:
        return snapshot_from_row(row)
    try:
        return load_bundled(day)
    except LookupError as error:
        raise UserError(
            None, None, f"no control snapshot for {day}: import it with `truce geo import-control`"
        ) from error


@app.command()
def territory(
    start: str = typer.Option(..., "--from", help="The earlier snapshot's date (YYYY-MM-DD)."),
    end: str = typer.Option(..., "--to", help="The later snapshot's date."),
    by: str = typer.Option("oblast", "--by", help="Break the change down by: oblast."),
    party: str = typer.Option("RU", "--party", help="Whose controlled area the snapshots map."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
) -> None:
    """km² gained and lost per party per oblast between two control snapshots."""
    if by != "oblast":
        raise UserError(None, None, f"--by: expected oblast, got {by!r}")
    days = []
    for label, value in (("--from", start), ("--to", end)):
        try:
            days.append(dt.date.fromisoformat(value))
        except ValueError as error:
            raise UserError(None, None, f"{label}: expected a date YYYY-MM-DD, got {value!r}") from error
    change = territorial_change(_snapshot_for(days[0], party), _snapshot_for(days[1], party))
    figures = change.to_json()
    if as_json:
        print_json(figures)
        return
    console.print(
        f"{change.party} area {change.area_before_km2:,.1f} km² on {days[0]} → "
        f"{change.area_after_km2:,.1f} km² on {days[1]}"
    )
    print_table(
        "territorial change by oblast",
        ["oblast", "party", "gained km²", "lost km²", "net km²"],
        (
            [
                r["oblast"],
                r["party"],
                f"{r['gained_km2']:,.2f}",
                f"{r['lost_km2']:,.2f}",
                f"{r['net_km2']:,.2f}",
            ]
            for r in figures["by_oblast"]
        ),
    )


@geo_app.command("build-gazetteer")
def build_gazetteer() -> None:
    """Build (or load) the gazetteer index: COD-AB settlements joined with GeoNames names."""
    places = len(get_gazetteer().places)
    console.print(f"gazetteer ready: {places:,} places (cache: {cache_dir()})")


@geo_app.command("import-gazetteer")
def import_gazetteer(
    file: Path = typer.Argument(..., help="A GeoNames dump, e.g. UA.txt (19 tab-separated columns)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Add the names in a GeoNames dump to the gazetteer (the whole file is checked first)."""
    summary = import_geonames_dump(file)
    if as_json:
        print_json(
            {
                "file": str(file),
                "lines": summary.lines,
                "aliases_added": summary.aliases_added,
                "places_added": summary.places_added,
            }
        )
    else:
        console.print(
            f"{file}: {summary.lines} lines, {summary.aliases_added} names added to known places, "
            f"{summary.places_added} new places"
        )
