"""JSON Lines: one incident per line in the incident JSON shape (docs/incidents.md)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

from pydantic import ValidationError

from truce.errors import UserError
from truce.intake._common import (
    IncidentList,
    Located,
    RowProgress,
    collect,
    load_bytes,
    validation_message,
)
from truce.intake._source import TextSource
from truce.intake.mapping import Mapping
from truce.model import Incident

__all__ = ["read_jsonl", "stream_jsonl"]

_PROGRESS_EVERY = 2000


def stream_jsonl(
    source: TextSource,
    *,
    mapping: Mapping | None = None,
    progress: RowProgress | None = None,
    skipped: dict[str, int] | None = None,
    rows: bool = False,  # JSON records always go through the model (their dates and times are text)
) -> Iterator[Located]:
    """Incidents from JSON Lines, one line at a time; blank lines are skipped. A record without an id
    gets one made from the file's hash and its record number; a `report_id` in the input is ignored
    (the store sets it)."""
    path = source.path
    if mapping is not None:
        raise UserError(path, None, "column mappings apply to csv and geojson, not jsonl")
    number = 0
    total = source.total_lines
    for line_no, text in enumerate(source.text(newline="\n"), 1):
        line = text.removesuffix("\n")  # JSON's column numbers are counted on the line alone
        if not line.strip():
            continue
        number += 1
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(
                path, line_no, f"record {number}: not valid JSON: {exc.msg} (column {exc.colno})"
            ) from None
        if not isinstance(record, dict):
            raise UserError(
                path, line_no, f"record {number}: expected a JSON object, got {type(record).__name__}"
            )
        record.pop("report_id", None)
        if not record.get("id"):
            record["id"] = f"{source.prefix}-{number}"
        try:
            yield Incident.model_validate(record), number, line_no
        except ValidationError as exc:
            raise UserError(path, line_no, f"record {number}: {validation_message(exc)}") from None
        if progress and number % _PROGRESS_EVERY == 0:
            progress(line_no, total)
    if not number:
        raise UserError(path, None, "the file is empty")
    if progress:
        progress(total, total)


def read_jsonl(
    data: bytes | str | os.PathLike,
    *,
    path: str | None = None,
    mapping: Mapping | None = None,
    progress: RowProgress | None = None,
) -> IncidentList:
    """Incidents from a JSON Lines file; all records or a UserError naming the first bad one."""
    content, path = load_bytes(data, path)
    source = TextSource.of_bytes(content, path)
    return collect(stream_jsonl(source, mapping=mapping, progress=progress), "record")
