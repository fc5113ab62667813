"""`truce extract`: incidents found in texts, printed and not stored.

Its own module so that the command loads the extraction pipeline alone, not the store, the log or
the sensors (start-up under a second and a half before the language model loads)."""

from __future__ import annotations

from pathlib import Path

import typer

from truce.cli.main import app
from truce.cli.output import SCHEDULER_HELP, WORKERS_HELP, dask_runner, parse_day, print_jsonl, progress_bar

__all__ = ["extract"]


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
    from truce.extract import extract_file  # after the options are parsed: --help stays quick

    with dask_runner(workers, scheduler) as runner, progress_bar() as bar:
        task = bar.add_task("extracting", total=None)
        for path in files:
            found = extract_file(
                path,
                fmt,
                parse_day(published),
                progress=lambda done, total: bar.update(task, completed=done, total=total),
                runner=runner,
            )
            print_jsonl(item.to_json() for item in found)
