"""Shared pieces of the structured readers: loading bytes, decoding, one-line errors, positions."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from pydantic import ValidationError

from truce.errors import UserError
from truce.model import Incident
from truce.store.incident_rows import IncidentRow

__all__ = [
    "IncidentList",
    "Located",
    "RowProgress",
    "collect",
    "decode_utf8",
    "fallback_id",
    "load_bytes",
    "validation_message",
]

# Readers report (done, total) in their own units (lines or features) while they parse.
RowProgress = Callable[[int, int], None]
# What a streaming reader yields: an incident, its record number and the line it starts on (or None).
# With rows=True a reader may yield an IncidentRow (checked, ready for the store) instead of a model.
Located = tuple[Incident | IncidentRow, int, int | None]


class IncidentList(list[Incident]):
    """The incidents a reader found, with where each came from, so later errors can name the row.

    `unit` is how the format counts records ("row", "feature", "record"); positions[i] is
    (record number, physical line or None). `skipped` counts source records that are not incidents
    (e.g. ACLED protests), by their source category."""

    def __init__(self, unit: str = "row") -> None:
        super().__init__()
        self.unit = unit
        self.positions: list[tuple[int, int | None]] = []
        self.skipped: dict[str, int] = {}
        # For formats that find lines only when needed (GeoJSON): record number -> line.
        self.resolve_line: Callable[[int], int | None] | None = None

    def add(self, incident: Incident, number: int, line: int | None) -> None:
        self.append(incident)
        self.positions.append((number, line))

    def where(self, index: int) -> tuple[str, int | None]:
        """('row 12', line) for the incident at `index`."""
        if index < len(self.positions):
            number, line = self.positions[index]
            if line is None and self.resolve_line is not None:
                line = self.resolve_line(number)
            return f"{self.unit} {number}", line
        return f"{self.unit} {index + 1}", None


def collect(records: Iterable[Located], unit: str, skipped: dict[str, int] | None = None) -> IncidentList:
    """A streaming reader's records as a list that still names each record's place."""
    out = IncidentList(unit)
    for incident, number, line in records:
        out.add(incident, number, line)
    out.skipped.update(skipped or {})
    return out


def load_bytes(data: bytes | str | os.PathLike, path: str | None) -> tuple[bytes, str]:
    """Readers take bytes or a path; a str is a path (file contents always come as bytes)."""
    if isinstance(data, bytes):
        return data, path or "<input>"
    file = Path(data)
    try:
        return file.read_bytes(), path or str(file)
    except OSError as exc:
        raise UserError(path or str(file), None, f"cannot read the file: {exc.strerror}") from None


def decode_utf8(content: bytes, path: str) -> str:
    """The text of a file that must be UTF-8 (a byte-order mark is allowed and dropped)."""
    if not content or content.isspace():
        raise UserError(path, None, "the file is empty")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        byte = content[exc.start : exc.start + 1].hex()
        raise UserError(
            path,
            line,
            f"the file is not UTF-8 text (byte 0x{byte} at offset {exc.start}); "
            "save or export it as UTF-8 and try again",
        ) from None


def fallback_id(content: bytes, number: int) -> str:
    """A stable id for a record that has none: the file's hash and the record's number."""
    return f"{hashlib.sha256(content).hexdigest()[:16]}-{number}"


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def validation_message(error: ValidationError, names: dict[tuple, str] | None = None) -> str:
    """Pydantic's errors as one short line: the first problem, naming the field as the user wrote it."""
    problems = error.errors(include_url=False)
    first = problems[0]
    loc = tuple(str(part) for part in first["loc"])
    field = (names or {}).get(loc) or ".".join(loc) or "incident"
    kind = first["type"]
    if kind == "extra_forbidden":
        text = f"{field}: unknown field (not part of the incident shape; see docs/incidents.md)"
    elif kind == "missing":
        text = f"{field}: required field is missing"
    else:
        message = first["msg"].removeprefix("Value error, ")
        text = f"{field}: {message[:1].lower()}{message[1:]}"
        value = first.get("input")
        if not isinstance(value, dict | list) and value is not None:
            text += f", got {_shown(value)}"
    if len(problems) > 1:
        more = len(problems) - 1
        text += f" (and {more} more problem{'s' if more > 1 else ''})"
    return text
