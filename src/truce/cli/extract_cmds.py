"""`truce extract`: incidents found in texts, printed, nothing stored. Its own module, importing only
the extraction pipeline: no store, log, readers of structured formats or sensors, so it starts fast."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from truce.cli.main import app
from truce.cli.output import dask_runner, print_jsonl, progress_bar
from truce.errors import UserError

__all__ = ["SCHEDULER_HELP", "WORKERS_HELP", "date_option", "extract"]


def date_option(value: str | None, option: str = "--published") -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise UserError(None, None, f"{option}: expected a date YYYY-MM-DD, got {value!r}") from error


WORKERS_HELP = "Extract on a local Dask cluster of N worker processes, started and stopped here."
SCHEDULER_HELP = "Extract on a running Dask cluster: its scheduler's address (tcp://HOST:PORT)."


@app.command()
def extract(
    files: list[Path] = typer.Argument(
        ...,
        help="News text or Markdown, HTML pages, Telegram result.json, documents as JSON Lines "
        "(.jsonl: text, published, id a line); '-' reads JSON Lines documents from standard input.",
    ),
    fmt: str = typer.Option(
        None, "--format", "-f", help="text, html, telegram or jsonl (default: from the extension)."
    ),
    published: str = typer.Option(None, "--published", help="Publication date for text without a dateline."),
    as_json: bool = typer.Option(False, "--json", help="JSON Lines, one incident a line (the default too)."),
    workers: int = typer.Option(None, "--workers", help=WORKERS_HELP),
    scheduler: str = typer.Option(None, "--scheduler", help=SCHEDULER_HELP),
) -> None:
    """Print the incidents found in texts, without storing them (JSON Lines in the incident shape).
    The pipeline loads once for all the files and documents given (once per worker with Dask)."""
    from truce.extract import extract_file

    with dask_runner(workers, scheduler) as runner, progress_bar() as bar:
        task = bar.add_task("extracting", total=None)
        for path in files:
            found = extract_file(
                path,
                fmt,
                date_option(published),
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                runner=runner,
            )
            print_jsonl(item.to_json() for item in found)
