"""`truce assess` and `truce findings`: the assessment stage and what it concluded."""

from __future__ import annotations

import dataclasses
import datetime as dt

import typer

from truce.assess.declarations import load_declarations
from truce.assess.run import AssessmentResult, assess_workspace, tally
from truce.cli.agreement_cmds import FILE_HELP, agreement_file, parse_overrides
from truce.cli.main import app, state
from truce.cli.output import console, dask_runner, print_json, print_table, progress_bar
from truce.errors import UserError
from truce.model import KYIV
from truce.publish.ledger import publish
from truce.store import open_workspace
from truce.store.records import stored_findings

__all__ = ["assess", "findings"]

DEFAULT_AGREEMENT = "ukraine-framework-2025"
_STATUSES = ("violation", "possible_violation", "pending", "compliant", "not_assessable")


def _cut_off(until: str | None) -> dt.datetime:
    if until is None:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(until)
    except ValueError as error:
        raise UserError(
            None, None, f"--until: expected a date or time such as 2026-02-01, got {until!r}"
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=KYIV)


def _run(
    workspace: object,
    path: object,
    cut_off: dt.datetime,
    overrides: dict,
    declarations: object,
    store: bool,
    label: str,
) -> AssessmentResult:
    with progress_bar() as bar:
        task = bar.add_task(label, total=None)
        return assess_workspace(
            workspace,
            path,
            cut_off=cut_off,
            overrides=overrides,
            declarations=declarations,
            store=store,
            progress=lambda _: bar.advance(task),
        )


def _status_cells(counts: dict) -> str:
    return ", ".join(f"{counts[s]} {s}" for s in _STATUSES if counts.get(s)) or "-"


@app.command()
def assess(
    agreement: str = typer.Option(DEFAULT_AGREEMENT, "--agreement", help=FILE_HELP),
    until: str = typer.Option(
        None, "--until", help="Cut-off (Kyiv time unless an offset is given); default now."
    ),
    what_if: list[str] = typer.Option(
        [],
        "--what-if",
        help="PARAM=VALUE or PROVISION.FIELD=VALUE; "
        "runs the same data against changed terms, side by side, storing nothing.",
    ),
    declarations: str = typer.Option(
        None, "--declarations", help="YAML of declared figures, events, notices."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    sweep: str = typer.Option(
        None,
        "--sweep",
        help="PARAM=FROM..TO:STEP: assess every value as a draft, side by side, storing nothing.",
    ),
    workers: int = typer.Option(None, "--workers", help="Sweep on a local Dask cluster of N workers."),
    scheduler: str = typer.Option(None, "--scheduler", help="Sweep on a running Dask cluster (its address)."),
) -> None:
    """Check every provision against the stored incidents and snapshots; store the findings."""
    workspace = open_workspace(state["db"])
    path = agreement_file(agreement)
    cut_off = _cut_off(until)
    declared = load_declarations(declarations)
    if sweep or workers or scheduler:
        if not sweep or what_if:
            raise UserError(None, None, "--workers/--scheduler need --sweep; --sweep goes without --what-if")
        _sweep(workspace, path, sweep, cut_off, declared, workers, scheduler, as_json)
        return
    base = _run(workspace, path, cut_off, {}, declared, True, "assessing")
    published = publish(workspace)
    alt = (
        _run(workspace, path, cut_off, parse_overrides(what_if), declared, False, "what-if")
        if what_if
        else None
    )
    base_counts = tally(base.findings)
    if as_json:
        result = {
            "agreement": base.agreement_id,
            "log_size": published.size,
            "incidents": base.incidents,
            "findings": len(base.findings),
            "by_provision": base_counts,
        }
        if alt:
            result["what_if"] = {
                "overrides": alt.overrides,
                "findings": len(alt.findings),
                "by_provision": tally(alt.findings),
            }
        print_json(result)
        return
    console.print(
        f"assessed {base.incidents} incidents against {base.agreement_id}: {len(base.findings)} findings; "
        f"log size {published.size}"
    )
    if alt is None:
        print_table(
            "findings by provision",
            ["provision", "findings"],
            ([p, _status_cells(c)] for p, c in base_counts.items()),
        )
        return
    alt_counts = tally(alt.findings)
    changed = ", ".join(f"{k}={v}" for k, v in alt.overrides.items())
    print_table(
        "what-if",
        ["provision", "as written", changed],
        ([p, _status_cells(c), _status_cells(alt_counts.get(p, {}))] for p, c in base_counts.items()),
    )


@app.command()
def findings(
    agreement: str = typer.Option(None, "--agreement", help="Only this agreement's findings (its id)."),
    status: str = typer.Option(None, "--status", help="Only findings with this status."),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON."),
) -> None:
    """List the stored findings."""
    workspace = open_workspace(state["db"])
    with workspace.engine.connect() as conn:
        rows = stored_findings(conn, agreement)
    if status:
        rows = [row for row in rows if row["status"] == status]
    if as_json:
        print_json(rows)
        return
    print_table(
        f"{len(rows)} findings",
        ["date", "provision", "status", "party", "rationale"],
        ([r["date"], r["provision_id"], r["status"], r["party"], r["rationale"]] for r in rows),
    )


def _sweep(
    workspace: object,
    path: object,
    sweep: str,
    cut_off: dt.datetime,
    declared: object,
    workers: int | None,
    scheduler: str | None,
    as_json: bool,
) -> None:
    from truce.assess.sweep import parse_sweep, run_sweep

    name, values = parse_sweep(sweep)
    with dask_runner(workers, scheduler) as runner, progress_bar() as bar:
        task = bar.add_task(f"sweeping {name}", total=len(values))
        points, lifted = run_sweep(
            workspace.url,
            path,
            name,
            values,
            cut_off,
            declared,
            runner,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    if as_json:
        print_json(
            {
                "parameter": name,
                "choices_lifted": lifted,
                "points": [dataclasses.asdict(point) for point in points],
            }
        )
        return
    if lifted:
        console.print(f"{name}: the terms offer {lifted}; the sweep assesses every value as a draft")
    print_table(
        f"sweep of {name} ({len(points)} values, nothing stored)",
        [name, "findings", "in zones", *_STATUSES],
        ([p.value, p.findings, p.in_zones, *(p.by_status.get(s, 0) for s in _STATUSES)] for p in points),
    )
