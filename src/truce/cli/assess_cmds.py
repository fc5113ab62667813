"""`truce assess` and `truce findings`: the assessment stage and what it concluded."""

from __future__ import annotations

import dataclasses
import datetime as dt

import typer

from truce.assess.declarations import load_declarations
from truce.assess.run import AssessmentResult, assess_workspace, diff_runs, list_runs, tally
from truce.cli.agreement_cmds import FILE_HELP, agreement_file, parse_overrides
from truce.cli.main import app, state
from truce.cli.output import console, dask_runner, one_of, print_json, print_table, progress_bar
from truce.errors import UserError
from truce.model import KYIV
from truce.store import open_workspace
from truce.store.records import stored_findings

__all__ = ["assess", "findings"]

DEFAULT_AGREEMENT = "ukraine-framework-2025"
_STATUSES = ("violation", "possible_violation", "pending", "compliant", "not_assessable")


def _cut_off(until: str | None) -> dt.datetime:
    """The cut-off instant: a date means 00:00 Kyiv time that day (so 2026-02-01 takes in all of
    31 January and nothing of 1 February); a time without an offset is Kyiv time."""
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
    runner: object = None,
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
            runner=runner,
            part_progress=lambda done, total: bar.update(task, completed=done, total=total),
        )


def _status_cells(counts: dict) -> str:
    return ", ".join(f"{counts[s]} {s}" for s in _STATUSES if counts.get(s)) or "-"


@app.command()
def assess(
    agreement: str = typer.Option(DEFAULT_AGREEMENT, "--agreement", help=FILE_HELP),
    until: str = typer.Option(
        None,
        "--until",
        help="Cut-off instant, Kyiv time unless an offset is given; a date means 00:00 that day "
        "(2026-02-01 = through 31 January). Default: now.",
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
    workers: int = typer.Option(
        None,
        "--workers",
        help="Assess (or sweep) on a local Dask cluster of N worker processes, started and stopped here: "
        "incidents split by time window and region, the same findings as one process.",
    ),
    scheduler: str = typer.Option(
        None, "--scheduler", help="Assess (or sweep) on a running Dask cluster: its scheduler's address."
    ),
) -> None:
    """Check every provision against the stored incidents and snapshots; store the findings."""
    workspace = open_workspace(state["db"])
    path = agreement_file(agreement)
    cut_off = _cut_off(until)
    declared = load_declarations(declarations)
    if sweep:
        if what_if:
            raise UserError(None, None, "--sweep goes without --what-if")
        _sweep(workspace, path, sweep, cut_off, declared, workers, scheduler, as_json)
        return
    overrides = parse_overrides(what_if)
    with dask_runner(workers, scheduler) as runner:
        # The what-if first: a value the terms do not allow fails here, before anything is stored.
        alt = None
        if what_if:
            alt = _run(workspace, path, cut_off, overrides, declared, False, "what-if", runner)
        base = _run(workspace, path, cut_off, {}, declared, True, "assessing", runner)
    published = base.published
    base_counts = base.by_provision
    if as_json:
        result = {
            "agreement": base.agreement_id,
            "run": base.run_id,
            "cut_off": cut_off.isoformat(),
            "log_size": published.size,
            "incidents": base.incidents,
            "findings": base.finding_count,
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
        f"assessed {base.incidents} incidents against {base.agreement_id} up to {cut_off.isoformat()}: "
        f"{base.finding_count} findings (run {base.run_id}); log size {published.size}"
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


def _diff_pair(conn: object, spec: str, agreement: str | None) -> tuple[int, int]:
    """'OLD:NEW' run ids, or 'last' for the agreement's last two runs."""
    if spec == "last":
        runs = [r["id"] for r in list_runs(conn, agreement)]
        if len(runs) < 2:
            raise UserError(None, None, "--diff last: fewer than two stored runs to compare")
        return runs[-2], runs[-1]
    old, sep, new = spec.partition(":")
    if not (sep and old.isdigit() and new.isdigit()):
        raise UserError(None, None, f"--diff: expected OLD:NEW run ids (e.g. 1:2) or 'last', got {spec!r}")
    return int(old), int(new)


def _show_runs(conn: object, agreement: str | None, as_json: bool) -> None:
    runs = list_runs(conn, agreement)
    if as_json:
        print_json(runs)
        return
    print_table(
        f"{len(runs)} assessment runs",
        ["run", "agreement", "cut-off", "incidents", "findings", "at"],
        (
            [
                r["id"],
                r["agreement_id"],
                r["cut_off"],
                r["incident_count"],
                r["finding_count"],
                r["started_at"],
            ]
            for r in runs
        ),
    )


def _show_diff(conn: object, spec: str, agreement: str | None, as_json: bool) -> None:
    change = diff_runs(conn, *_diff_pair(conn, spec, agreement))
    if as_json:
        print_json(change.to_json())
        return
    console.print(
        f"run {change.old} → run {change.new}: {len(change.added)} added, {len(change.removed)} removed, "
        f"{len(change.changed)} changed"
    )
    current = {r["id"]: r for r in stored_findings(conn)}
    for label, ids in (("added", change.added), ("removed", change.removed), ("changed", change.changed)):
        for finding_id in ids:
            row = current.get(finding_id)
            about = f"{row['date']} {row['provision_id']} {row['status']}" if row else "(no longer stored)"
            console.print(f"  {label:8} {finding_id}  {about}")


@app.command()
def findings(
    agreement: str = typer.Option(None, "--agreement", help="Only this agreement's findings (its id)."),
    status: str = typer.Option(None, "--status", help=f"Only this status: {', '.join(_STATUSES)}."),
    runs: bool = typer.Option(False, "--runs", help="List the stored assessment runs instead."),
    diff: str = typer.Option(
        None,
        "--diff",
        help="OLD:NEW run ids, or 'last': findings added, removed, changed between two runs.",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the findings as JSON."),
) -> None:
    """List the stored findings (or the assessment runs, or what changed between two runs)."""
    if status:
        one_of("--status", status, _STATUSES)
    workspace = open_workspace(state["db"])
    with workspace.engine.connect() as conn:
        if runs:
            _show_runs(conn, agreement, as_json)
            return
        if diff:
            _show_diff(conn, diff, agreement, as_json)
            return
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
