"""Shared output helpers: data as JSON for --json, tables for people, progress bars for long work."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

if TYPE_CHECKING:
    from truce.parallel import Runner

__all__ = [
    "SCHEDULER_HELP",
    "WORKERS_HELP",
    "console",
    "dask_runner",
    "err_console",
    "one_of",
    "parse_day",
    "print_json",
    "print_jsonl",
    "print_table",
    "progress_bar",
]

# Piped or logged output gets a readable width rather than rich's 80-column fallback.
console = Console(width=None if sys.stdout.isatty() else 140)
err_console = Console(stderr=True)


def one_of(option: str, value: str, allowed: Iterable[str]) -> str:
    """The value if it is one of `allowed`, else a one-line error naming them (exit 2)."""
    from truce.errors import UserError

    choices = sorted(allowed)
    if value not in choices:
        listed = ", ".join(choices) if choices else "(none yet)"
        raise UserError(None, None, f"{option}: expected one of {listed}; got {value!r}")
    return value


def print_json(data: Any) -> None:  # noqa: ANN401 — any JSON-serialisable value
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def print_jsonl(rows: Iterable[dict]) -> None:
    for row in rows:
        sys.stdout.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")


def print_table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    console.print(table)


def progress_bar() -> Progress:
    """A progress bar on stderr, so stdout stays clean for data; none when stderr is not a terminal
    (logs and pipes get no control codes or stray blank lines)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )


WORKERS_HELP = "Extract on a local Dask cluster of N worker processes, started and stopped here."
SCHEDULER_HELP = "Extract on a running Dask cluster: its scheduler's address (tcp://HOST:PORT)."


def parse_day(value: str | None, option: str = "--published") -> dt.date | None:
    """A YYYY-MM-DD option's day (None when not given); a clear error naming the option otherwise."""
    from truce.errors import UserError

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise UserError(None, None, f"{option}: expected a date YYYY-MM-DD, got {value!r}") from error


@contextmanager
def dask_runner(workers: int | None, scheduler: str | None) -> Iterator[Runner]:
    """The Runner for --workers/--scheduler (this process when neither is given); says on stderr
    where the work runs and Dask's dashboard address when there is one."""
    from truce.parallel import Runner

    with Runner(workers, scheduler) as runner:
        if runner.distributed:
            where = scheduler or f"a local cluster of {workers} worker processes"
            dashboard = f"; dashboard {runner.dashboard}" if runner.dashboard else ""
            err_console.print(f"working on {where}{dashboard}", highlight=False)
        yield runner
