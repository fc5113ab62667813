"""`truce migrate`, `truce backup PATH`, `truce restore PATH`: keeping a workspace (SQLite or
PostgreSQL) current and safe."""

from __future__ import annotations

from pathlib import Path

import typer

from truce.cli.main import app, state
from truce.cli.output import console, print_json
from truce.errors import UserError
from truce.store import open_workspace
from truce.store.backup import backup_workspace, restore_workspace

__all__ = ["backup", "migrate", "restore"]


@app.command()
def migrate(as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")) -> None:
    """Upgrade the workspace's schema in place to this release's (a no-op when it is current)."""
    workspace = open_workspace(state["db"], require_current=False)
    before = workspace.revision()
    if before is None:
        raise UserError(workspace.display_url, None, "no truce schema here; run `truce init` first")
    workspace.migrate()
    result = {"database": workspace.display_url, "from": before, "to": workspace.revision()}
    if as_json:
        print_json(result)
    elif before == result["to"]:
        console.print(f"schema is current ({before})")
    else:
        console.print(f"schema upgraded from {before} to {result['to']}")


@app.command()
def backup(
    path: Path = typer.Argument(..., help="A new folder for the backup (database, keys, manifest)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Back up the workspace (database and keys) into a new folder.

    SQLite's online backup or pg_dump's custom format, with the keys beside it and a manifest of
    SHA-256 digests. The folder holds the private signing key: keep it as safely as the key."""
    result = backup_workspace(open_workspace(state["db"]), path)
    if as_json:
        print_json(result.to_json())
    else:
        console.print(f"backed up ({result.kind}, schema {result.revision}) to {result.path}")


@app.command()
def restore(
    path: Path = typer.Argument(..., help="A backup folder written by `truce backup`."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Restore a backup into --db: a new SQLite file or an empty PostgreSQL database.

    Every file is checked against the manifest first. Then run `truce verify`, and `truce migrate`
    if the backup is from an older release."""
    workspace = restore_workspace(path, state["db"])
    result = {
        "database": workspace.display_url,
        "revision": workspace.revision(),
        "current": workspace.is_current(),
        "keys": str(workspace.directory / "keys"),
    }
    if as_json:
        print_json(result)
    else:
        console.print(f"restored into {result['database']} (schema {result['revision']})")
        if not result["current"]:
            console.print("the schema is older than this release's: run `truce migrate`")
