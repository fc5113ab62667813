"""`truce findings`, `truce assess`: the assessment stage and what it concluded."""

from __future__ import annotations

import typer

from truce.cli.main import app, state
from truce.cli.output import print_json, print_table
from truce.store import open_workspace
from truce.store.records import stored_findings

__all__ = ["findings"]


@app.command()
def findings(
    agreement: str = typer.Option(None, "--agreement", help="Only this agreement's findings."),
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
