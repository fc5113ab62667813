"""JSON Lines: one incident per line in the incident JSON shape (docs/incidents.md)."""

from __future__ import annotations

import hashlib
import json
import os

from pydantic import ValidationError

from truce.errors import UserError
from truce.intake._common import IncidentList, RowProgress, decode_utf8, load_bytes, validation_message
from truce.intake.mapping import Mapping
from truce.model import Incident

__all__ = ["read_jsonl"]

_PROGRESS_EVERY = 2000


def read_jsonl(
    data: bytes | str | os.PathLike,
    *,
    path: str | None = None,
    mapping: Mapping | None = None,
    progress: RowProgress | None = None,
) -> IncidentList:
    """Incidents from JSON Lines; blank lines are skipped. A record without an id gets one made from
    the file's hash and its record number; a `report_id` in the input is ignored (the store sets it)."""
    content, path = load_bytes(data, path)
    if mapping is not None:
        raise UserError(path, None, "column mappings apply to csv and geojson, not jsonl")
    text = decode_utf8(content, path)
    prefix = hashlib.sha256(content).hexdigest()[:16]
    lines = text.split("\n")
    out = IncidentList("record")
    number = 0
    for line_no, line in enumerate(lines, 1):
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
            record["id"] = f"{prefix}-{number}"
        try:
            out.add(Incident.model_validate(record), number, line_no)
        except ValidationError as exc:
            raise UserError(path, line_no, f"record {number}: {validation_message(exc)}") from None
        if progress and number % _PROGRESS_EVERY == 0:
            progress(line_no, len(lines))
    if not out:
        raise UserError(path, None, "the file is empty")
    if progress:
        progress(len(lines), len(lines))
    return out
