"""`truce sensors baseline|baselines|anomalies|summarise`: satellite fire detections as a sensor."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import typer

from truce.cli.main import app, state
from truce.cli.output import console, print_json, print_table, progress_bar
from truce.errors import UserError
from truce.publish.ledger import publish
from truce.sensors.baseline import BaselineParams, fit_baseline, load_history
from truce.sensors.store import anomalies_between, baseline_rows, compute_anomalies, save_baseline
from truce.sensors.terms import anomaly_terms
from truce.store import open_workspace

__all__ = ["anomalies", "baseline", "summarise"]

sensors_app = typer.Typer(
    help="Satellite fire detections (NASA FIRMS): baselines of normal activity and thermal anomalies.",
    no_args_is_help=True,
)
app.add_typer(sensors_app, name="sensors")


def _years(text: str | None, available: list[int]) -> list[int]:
    """'2012-2021' or '2012,2013,2016' -> the history years in that set."""
    if not text:
        return [y for y in available if y < 2022]  # before the full-scale invasion: "normal" years
    wanted: set[int] = set()
    try:
        for part in text.split(","):
            first, _, last = part.strip().partition("-")
            wanted.update(range(int(first), int(last or first) + 1))
    except ValueError:
        raise UserError(
            None, None, f"--years: expected years like 2012-2021 or 2012,2013, got {text!r}"
        ) from None
    return sorted(wanted & set(available))


def _day(value: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UserError(None, None, f"{option}: expected a date YYYY-MM-DD, got {value!r}") from None


@sensors_app.command("summarise")
def summarise(
    files: list[Path] = typer.Argument(..., help="FIRMS files (any layout) to summarise."),
    output: Path = typer.Option(..., "--output", "-o", help="The summary to write (.csv or .csv.gz)."),
    years: str = typer.Option(None, "--years", help="Keep only these years, e.g. 2012-2021."),
    grid: float = typer.Option(0.1, "--grid", help="Cell size in degrees."),
) -> None:
    """Write the compact history a baseline needs (detections per year, cell and half-month)."""
    with progress_bar() as bar:
        task = bar.add_task("reading history", total=len(files))
        history = load_history(files, grid, lambda done, total: bar.update(task, completed=done))
    history = history.only_years(_years(years, history.years))
    data = history.to_csv()
    output.write_bytes(gzip.compress(data, mtime=0) if output.suffix == ".gz" else data)
    console.print(f"wrote {output}: {len(history.year)} rows, years {history.years}")


@sensors_app.command("baseline")
def baseline(
    history: list[Path] = typer.Option(..., "--history", help="FIRMS files or summaries of normal years."),
    more: list[Path] = typer.Argument(None, help="More history files (`--history A B C` reads all three)."),
    years: str = typer.Option(
        None, "--years", help="Years to learn from, e.g. 2012-2021 (default: before 2022)."
    ),
    grid: float = typer.Option(0.1, "--grid", help="Cell size in degrees."),
    neighbourhood: int = typer.Option(2, "--neighbourhood", help="Smooth over (2r+1)² cells around each."),
    prior_days: float = typer.Option(30.0, "--prior-days", help="Weight of the neighbourhood, in days."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Learn the expected detections per cell and half-month (negative binomial), store and log it."""
    if grid <= 0 or neighbourhood < 0 or prior_days <= 0:
        raise UserError(None, None, "--grid and --prior-days must be positive, --neighbourhood ≥ 0")
    workspace = open_workspace(state["db"])
    history = [*history, *(more or [])]
    with progress_bar() as bar:
        task = bar.add_task("reading history", total=len(history))
        summary = load_history(history, grid, lambda done, total: bar.update(task, completed=done))
    chosen = _years(years, summary.years)
    params = BaselineParams(grid_deg=grid, neighbourhood=neighbourhood, prior_days=prior_days)
    model = fit_baseline(summary, chosen, params)
    with workspace.engine.begin() as conn:
        baseline_id, version, new = save_baseline(conn, model)
    publish(workspace)
    result = {"id": baseline_id, "version": version, "new": new, "years": chosen, "cells": len(model.mean)}
    if as_json:
        print_json(result)
        return
    verb = "stored" if new else "already stored"
    console.print(
        f"{verb} baseline {baseline_id} (version {version}): years {chosen}, {len(model.mean)} cell-seasons"
    )


@sensors_app.command("baselines")
def baselines(as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """List the stored baselines, newest last."""
    with open_workspace(state["db"]).engine.connect() as conn:
        rows = baseline_rows(conn)
    if as_json:
        print_json(rows)
        return
    print_table(
        "baselines",
        ["version", "id", "years", "grid", "cell-seasons"],
        ([r["version"], r["id"], ",".join(map(str, r["years"])), r["grid_deg"], r["cells"]] for r in rows),
    )


@sensors_app.command("anomalies")
def anomalies(
    start: str = typer.Option(..., "--from", help="First day (UTC), YYYY-MM-DD."),
    end: str = typer.Option(..., "--to", help="Last day (UTC), YYYY-MM-DD."),
    terms: str = typer.Option(
        None,
        "--terms",
        help="Terms file or bundled agreement id whose thresholds apply (default: 0.05, 50 km …).",
    ),
    baseline_id: str = typer.Option(None, "--baseline", help="Baseline id (default: the newest)."),
    as_json: bool = typer.Option(False, "--json", help="Print the anomalies as JSON."),
) -> None:
    """Mark the cell-days whose detections are improbable and persistent: thermal anomalies."""
    first, last = _day(start, "--from"), _day(end, "--to")
    if (last - first).days > 3660:
        raise UserError(None, None, "--from/--to: at most ten years at a time")
    workspace = open_workspace(state["db"])
    params = anomaly_terms(terms)
    with progress_bar() as bar:
        bar.add_task("finding anomalies", total=None)
        found = compute_anomalies(workspace, first, last, params, baseline_id)
    publish(workspace)
    if as_json:
        print_json(found)
        return
    console.print(f"{len(found)} thermal anomalies from {first} to {last}")
    print_table(
        "thermal anomalies",
        ["date", "where", "kind", "detections", "expected", "p"],
        (
            [
                a["date"],
                f"{a['lat']:.2f} N {a['lon']:.2f} E ({a['admin1'] or 'outside Ukraine'})",
                a["kind"],
                a["detections"],
                f"{a['expected']:.3f}",
                f"{a['p_value']:.2g}",
            ]
            for a in found
        ),
    )


@sensors_app.command("list")
def list_anomalies(
    start: str = typer.Option(None, "--from", help="First day, YYYY-MM-DD."),
    end: str = typer.Option(None, "--to", help="Last day, YYYY-MM-DD."),
    as_json: bool = typer.Option(False, "--json", help="Print the anomalies as JSON."),
) -> None:
    """The stored thermal anomalies (public: they rest on NASA's public detections only)."""
    with open_workspace(state["db"]).engine.connect() as conn:
        found = anomalies_between(
            conn, _day(start, "--from") if start else None, _day(end, "--to") if end else None
        )
    if as_json:
        print_json(found)
        return
    for a in found:
        console.print(f"{a['date']} {a['lat']:.2f} N {a['lon']:.2f} E {a['kind']}: {a['basis']}")
