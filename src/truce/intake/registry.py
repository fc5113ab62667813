"""The readers by format name. The CLI's `truce ingest --format F` looks formats up here; other
formats (news text, HTML, Telegram exports) register themselves with register_reader."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from truce.errors import UserError
from truce.intake._common import Located, RowProgress
from truce.intake._source import TextSource
from truce.intake.acled import read_acled, stream_acled
from truce.intake.csv_reader import read_csv, stream_csv
from truce.intake.geojson_reader import read_geojson
from truce.intake.jsonl_reader import read_jsonl, stream_jsonl
from truce.intake.mapping import Mapping
from truce.model import Incident

__all__ = [
    "READERS",
    "STREAM_READERS",
    "Reader",
    "StreamFormat",
    "StreamReader",
    "read_file",
    "reader_for",
    "register_reader",
    "stream_reader_for",
]


class Reader(Protocol):
    """bytes (or a path) -> incidents. Pure: no store, no network. `path` names the file in errors;
    `progress(done, total)` may be called while parsing. Raise UserError(path, line, message) on
    bad input. A reader may return a list with `positions` and `skipped` (see IncidentList)."""

    def __call__(
        self,
        data: bytes | str | os.PathLike,
        *,
        path: str | None = None,
        mapping: Mapping | None = None,
        progress: RowProgress | None = None,
    ) -> list[Incident]: ...


class StreamReader(Protocol):
    """A reader that takes the file as a stream and yields (incident, record number, line) as it
    parses, so a file of any size is read in bounded memory. `skipped` counts source records that are
    not incidents. Same errors as a Reader. With `rows` it may yield IncidentRows (store rows checked
    without a model) for the store; without it, always incidents."""

    def __call__(
        self,
        source: TextSource,
        *,
        mapping: Mapping | None = None,
        progress: RowProgress | None = None,
        skipped: dict[str, int] | None = None,
        rows: bool = False,
    ) -> Iterator[Located]: ...


@dataclass(frozen=True)
class StreamFormat:
    read: StreamReader
    unit: str  # how the format counts records in messages: "row", "record"


READERS: dict[str, Reader] = {
    "csv": read_csv,
    "geojson": read_geojson,
    "jsonl": read_jsonl,
    "acled": read_acled,
}
# Formats read as streams by ingest_file (GeoJSON is one JSON document, parsed whole).
STREAM_READERS: dict[str, StreamFormat] = {
    "csv": StreamFormat(stream_csv, "row"),
    "jsonl": StreamFormat(stream_jsonl, "record"),
    "acled": StreamFormat(stream_acled, "row"),
}


def register_reader(name: str, reader: Reader | Callable[..., list[Incident]]) -> None:
    """Add (or replace) the reader for a format name, e.g. register_reader("telegram", read_telegram)."""
    if not name or not name.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"format names are short words, got {name!r}")
    READERS[name] = reader
    STREAM_READERS.pop(name, None)  # a replaced format is read by its new reader, whole


def reader_for(fmt: str, path: str | None = None) -> Reader:
    try:
        return READERS[fmt]
    except KeyError:
        known = ", ".join(sorted(READERS))
        raise UserError(path, None, f"unknown format {fmt!r}; known formats: {known}") from None


def stream_reader_for(fmt: str) -> StreamFormat | None:
    """The streaming reader of a format, when it has one."""
    return STREAM_READERS.get(fmt)


def read_file(path: str | os.PathLike, fmt: str, mapping: Mapping | None = None) -> list[Incident]:
    """The incidents in a file, without touching the store."""
    return reader_for(fmt, str(path))(Path(path), path=str(path), mapping=mapping)
