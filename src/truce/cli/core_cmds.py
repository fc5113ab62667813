"""`truce init`: create or migrate a workspace."""

from __future__ import annotations

import typer

from truce.cli.main import app, state
from truce.cli.output import console, print_json
from truce.store import open_workspace

__all__ = ["init"]


@app.command()
def init(as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """Create the workspace database (or migrate it to the newest schema)."""
    workspace = open_workspace(state["db"], create=True)
    if as_json:
        print_json({"database": workspace.url, "directory": str(workspace.directory)})
    else:
        console.print(f"workspace ready: {workspace.url}")
