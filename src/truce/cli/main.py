"""Entry point: the Typer app, its sub-commands, and one-line user errors with exit status 2."""

from __future__ import annotations

import sys

import typer

from truce.errors import UserError

__all__ = ["app", "main", "run"]

_APP_OPTIONS = {
    "name": "truce",
    "help": "Ceasefire monitoring and verification: reports in, findings out, all verifiable.",
    "no_args_is_help": True,
    "pretty_exceptions_enable": False,
    "add_completion": False,
}
app = typer.Typer(**_APP_OPTIONS)

state: dict[str, str | None] = {"db": None}


@app.callback()
def _global(
    db: str = typer.Option(
        None, "--db", envvar="TRUCE_DB", help="Workspace database: a SQLite file path or a database URL."
    ),
) -> None:
    state["db"] = db


def _command_name(args: list[str]) -> str | None:
    """The command a command line runs: its first word that is neither an option nor --db's value."""
    words = iter(args)
    for word in words:
        if word == "--db":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def _listing() -> typer.Typer:
    """An app with the commands' names and help only, for `truce --help` without importing them."""
    from truce.cli.commands import COMMANDS, GROUPS

    listing = typer.Typer(**_APP_OPTIONS)
    listing.callback()(_global)
    for name, (_, help_text) in COMMANDS.items():
        listing.command(name, help=help_text)(lambda: None)
    for name, (_, help_text) in GROUPS.items():
        listing.add_typer(typer.Typer(), name=name, help=help_text)
    return listing


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status; user errors print one line and return 2."""
    from truce.cli.commands import import_for  # here: each command module imports `app` from this one

    args = sys.argv[1:] if argv is None else list(argv)
    name = _command_name(args)
    if name is None and "--help" in args or not args:
        runner = _listing()
    else:
        import_for(name)
        runner = app
    try:
        runner(args=args, prog_name="truce")  # standalone: usage errors print and exit 2 themselves
    except UserError as error:
        typer.echo(str(error), err=True)
        return 2
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


def run() -> None:
    sys.exit(main())
