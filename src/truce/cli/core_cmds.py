"""`truce init`: create or migrate a workspace."""

from __future__ import annotations

import typer

from truce.cli.main import app, state
from truce.cli.output import console, print_json
from truce.publish.ledger import mission_key, mission_key_path
from truce.store import open_workspace

__all__ = ["init"]


@app.command()
def init(as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """Create the workspace database (or migrate it to the newest schema)."""
    workspace = open_workspace(state["db"], create=True)
    key = mission_key(workspace)  # the log's signing key, created 0600 on first init
    if as_json:
        print_json({"database": workspace.url, "directory": str(workspace.directory), "log_key": key.vkey})
    else:
        console.print(f"workspace ready: {workspace.url}")
        console.print(f"log key: {mission_key_path(workspace)} (public: {key.vkey})")
