"""Parsing a large file in a second process while this one writes the store, so the two overlap on
two cores. The child reads and checks the file with the same streaming reader, and sends its records
in order, a batch at a time, over a pipe: the pipe's small buffer is what bounds memory (the child
waits while the store catches up). The first problem the child meets comes back as the same
UserError, after every record before it; the caller's transaction decides what is kept."""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from multiprocessing.connection import Connection
from pathlib import Path

from truce.errors import UserError
from truce.intake._common import Located, RowProgress
from truce.intake._source import FileScan, TextSource, open_binary
from truce.intake.mapping import Mapping
from truce.intake.registry import stream_reader_for
from truce.store.incident_rows import IncidentRow

__all__ = ["WORKER_BYTES", "parsed_in_worker", "worth_a_worker"]

WORKER_BYTES = 8 << 20  # files from this size are parsed in a second process (when there are 2 cores)
_BATCH = 2000  # records per message


def worth_a_worker(checked: FileScan) -> bool:
    return checked.size >= WORKER_BYTES and (os.cpu_count() or 1) > 1


def _packed(record: Located) -> tuple:
    """A record as plain values: pickling a tuple of str and numbers is several times cheaper than
    pickling a NamedTuple holding a date."""
    item, number, line = record
    if type(item) is IncidentRow:
        kind, day, *rest = item.columns
        return (number, line, item.id, kind, day.isoformat(), *rest, item.body_head)
    return (number, line, item)


def _unpacked(values: tuple) -> Located:
    if len(values) == 3:
        number, line, incident = values
        return incident, number, line
    number, line, incident_id, kind, day, *rest, body_head = values
    return IncidentRow(incident_id, (kind, date.fromisoformat(day), *rest), body_head), number, line


def _parse(
    pipe: Connection, fmt: str, path: str, name: str, checked: FileScan, mapping: Mapping | None
) -> None:
    """In the child: the file's records, in batches, then ("done", skipped) or the first problem."""
    try:
        skipped: dict[str, int] = {}
        reader = stream_reader_for(fmt)
        assert reader is not None
        with open_binary(path, name) as stream:
            source = TextSource(stream, name, checked)
            batch: list[tuple] = []
            for record in reader.read(source, mapping=mapping, skipped=skipped, rows=True):
                batch.append(_packed(record))
                if len(batch) == _BATCH:
                    pipe.send(("records", batch))
                    batch = []
            pipe.send(("records", batch))
            source.finish()
        pipe.send(("done", skipped))
    except UserError as exc:
        pipe.send(("error", (exc.path, exc.line, exc.message)))
    except BaseException:  # noqa: BLE001 (anything else is a bug: its traceback goes to the parent)
        pipe.send(("crash", traceback.format_exc()))
    finally:
        pipe.close()


@contextmanager
def parsed_in_worker(
    fmt: str,
    path: Path,
    name: str,
    checked: FileScan,
    mapping: Mapping | None,
    progress: RowProgress | None,
    skipped: dict[str, int],
) -> Iterator[Iterator[Located]]:
    """The records the format's streaming reader yields (rows=True), parsed in a child process that
    starts at once (it parses while the caller does other work) and is stopped on the way out."""
    context = multiprocessing.get_context("fork")  # the child starts with everything imported
    receiving, sending = context.Pipe(duplex=False)
    child = context.Process(
        target=_parse, args=(sending, fmt, str(path), name, checked, mapping), name="truce-parse", daemon=True
    )
    child.start()
    sending.close()
    try:
        yield _received(receiving, checked, progress, skipped)
    finally:
        if child.is_alive():
            child.terminate()
        child.join()
        receiving.close()


def _received(
    receiving: Connection, checked: FileScan, progress: RowProgress | None, skipped: dict[str, int]
) -> Iterator[Located]:
    while True:
        try:
            kind, payload = receiving.recv()
        except EOFError:
            raise RuntimeError("the parsing process stopped without a word") from None
        if kind == "records":
            for values in payload:
                yield _unpacked(values)
            if progress and payload:
                progress(payload[-1][1] or 0, checked.lines)
        elif kind == "done":
            skipped.update(payload)
            if progress:
                progress(checked.lines, checked.lines)
            return
        elif kind == "error":
            raise UserError(*payload)
        else:
            raise RuntimeError(f"the parsing process failed:\n{payload}")
