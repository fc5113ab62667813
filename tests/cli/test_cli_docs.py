"""docs/cli.md shows every command of `truce` (test_docs.py runs each example)."""

import re
from pathlib import Path

import typer

from truce.cli.main import app

CLI_PAGE = Path(__file__).parents[2] / "docs" / "cli.md"


def _command_paths(group: typer.Typer, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for command in group.registered_commands:
        name = command.name or command.callback.__name__.replace("_", "-")
        paths.append((*prefix, name))
    for sub in group.registered_groups:
        paths += _command_paths(sub.typer_instance, (*prefix, sub.name))
    return paths


def test_every_command_has_an_example_in_docs_cli():
    from truce.cli.commands import import_for

    import_for(None)  # registers every command on the app

    # A command is shown as a line of a fenced block or in backticks in the text.
    page = CLI_PAGE.read_text(encoding="utf-8")
    shown = {" ".join(m.split()[:4]) for m in re.findall(r"(?m)(?:^\$ |`)(truce [^`\n]+)", page)}
    paths = _command_paths(app)
    assert len(paths) >= 30
    missing = [" ".join(p) for p in paths if not any(s.startswith("truce " + " ".join(p)) for s in shown)]
    assert missing == []
