"""Entry point: the Typer app, its sub-commands, and one-line user errors with exit status 2."""

from __future__ import annotations

import sys

import typer

from truce.errors import UserError

__all__ = ["app", "main", "run"]

app = typer.Typer(
    name="truce",
    help="Ceasefire monitoring and verification: reports in, findings out, all verifiable.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

state: dict[str, str | None] = {"db": None}


@app.callback()
def _global(
    db: str = typer.Option(
        None, "--db", envvar="TRUCE_DB", help="Workspace database: a SQLite file path or a database URL."
    ),
) -> None:
    state["db"] = db


def _register_commands() -> None:
    # Imported here so each command module can import `app`/`state` from this one.
    from truce.cli import commands  # noqa: F401


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status; user errors print one line and return 2."""
    _register_commands()
    try:
        app(args=argv, prog_name="truce")  # standalone: usage errors print and exit 2 themselves
    except UserError as error:
        typer.echo(str(error), err=True)
        return 2
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


def run() -> None:
    sys.exit(main())
