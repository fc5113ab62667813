"""`truce report`: the numbered daily report as HTML, PDF, Markdown or JSON, in English, Ukrainian or
Russian."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

import typer

from truce.cli.main import app, state
from truce.cli.output import err_console
from truce.errors import UserError
from truce.publish.report import FORMATS, LANGUAGES, write_report
from truce.store import open_workspace

__all__ = ["report"]


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(None, None, f"--date {text!r} is not a date like 2026-01-15") from None


def _write_atomically(path: Path, content: bytes) -> None:
    """The whole file or nothing: write beside it, then rename over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@app.command("report")
def report(
    date: str = typer.Option(
        ..., "--date", help="The day the report covers (agreement's time zone), e.g. 2026-01-15."
    ),
    fmt: str = typer.Option("html", "--format", help=f"One of {', '.join(FORMATS)}."),
    lang: str = typer.Option("en", "--lang", help=f"One of {', '.join(LANGUAGES)}."),
    output: Path = typer.Option(
        None,
        "--output",
        "-o",
        help="Write to this file (default: stdout; a PDF goes to report-DATE-LANG.pdf).",
    ),
    agreement: str = typer.Option(
        None, "--agreement", help="The agreement (needed if the workspace has several)."
    ),
) -> None:
    """The numbered daily report (day 1 = the day the agreement took effect), cut off at 24:00.

    Publishes what is not in the log yet first, so the report names the checkpoint it was built from."""
    if fmt not in FORMATS:
        raise UserError(None, None, f"--format {fmt!r}: one of {', '.join(FORMATS)}")
    if lang not in LANGUAGES:
        raise UserError(None, None, f"--lang {lang!r}: one of {', '.join(LANGUAGES)}")
    day = _day(date)
    content = write_report(open_workspace(state["db"]), day, fmt, lang, agreement_id=agreement)
    if output is None and fmt == "pdf":
        output = Path(f"report-{day.isoformat()}-{lang}.pdf")
    if output is None:
        sys.stdout.write(content.decode())
        sys.stdout.flush()
        return
    _write_atomically(output, content)
    err_console.print(f"wrote {output}")
