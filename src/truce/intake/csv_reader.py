"""CSV in our documented columns (docs/intake.md), or any CSV through a column mapping."""

from __future__ import annotations

import os
from collections.abc import Iterator

from truce.errors import UserError
from truce.intake._common import IncidentList, Located, RowProgress, collect, load_bytes
from truce.intake._csvtable import CsvTable
from truce.intake._flat import FlatRecordParser
from truce.intake._source import TextSource
from truce.intake.mapping import CSV_COLUMNS, INPUT_COLUMNS, REQUIRED_COLUMNS, Mapping

__all__ = ["read_csv", "stream_csv"]

_PROGRESS_EVERY = 2000


def _our_columns(header: list[str], path: str) -> dict[str, int]:
    """Without a mapping every column must be one of ours: a typo ('latitude') would lose data."""
    fields = {}
    for index, name in enumerate(header):
        key = name.lower()
        if key not in INPUT_COLUMNS:
            raise UserError(
                path,
                1,
                f"unknown column {name!r}; our columns are: {', '.join(CSV_COLUMNS)} "
                "(to read another layout, map its columns with "
                "--map our_field=their_column or a mapping file; see docs/intake.md)",
            )
        fields[key] = index
    return fields


def _mapped_columns(header: list[str], mapping: Mapping, path: str) -> tuple[dict[str, int], dict[str, str]]:
    """Our field -> column index, through the mapping; fields it does not name match by name."""
    by_name = {name: i for i, name in enumerate(header)}
    by_folded = {name.strip().casefold(): i for i, name in enumerate(header)}
    fields, labels = {}, {}
    for field in INPUT_COLUMNS:
        theirs = mapping.columns.get(field)
        if theirs is None:
            if field in by_folded:
                fields[field] = by_folded[field]
            continue
        index = by_name.get(theirs, by_folded.get(theirs.strip().casefold()))
        if index is None:
            raise UserError(
                path,
                1,
                f"the mapping ({mapping.origin}) names column {theirs!r} for {field}, "
                f"but the file has no such column; its columns are: {', '.join(header)}",
            )
        fields[field] = index
        if header[index] != field:
            labels[field] = f"{field} (column {header[index]!r})"
    return fields, labels


def stream_csv(
    source: TextSource,
    *,
    mapping: Mapping | None = None,
    progress: RowProgress | None = None,
    skipped: dict[str, int] | None = None,
    rows: bool = False,
) -> Iterator[Located]:
    """Incidents from a CSV stream, one row at a time; a UserError names the first bad row. With
    `rows`, valid rows come as store rows (IncidentRow) where no model is needed to check them."""
    path = source.path
    table = CsvTable.from_source(source, mapping.delimiter if mapping else None)
    if mapping is None:
        fields, labels = _our_columns(table.header, path), {}
    else:
        fields, labels = _mapped_columns(table.header, mapping, path)
    for required in REQUIRED_COLUMNS:
        if required == "date" and "date_start" in fields:
            continue  # a date window instead of a date
        if required not in fields and not (mapping and mapping.defaults.get(required)):
            hint = f" (map it with --map {required}=<their column>)" if mapping else ""
            raise UserError(
                path,
                1,
                f"missing required column {required!r}{hint}; the header has: {', '.join(table.header)}",
            )
    parser = FlatRecordParser(path, source.prefix, mapping, labels, unit="row")
    columns = list(fields.items())
    parse = parser.parse_row if rows else parser.parse
    count = 0
    for number, line, cells in table.rows():
        yield parse({field: cell for field, i in columns if (cell := cells[i])}, number, line), number, line
        count += 1
        if progress and count % _PROGRESS_EVERY == 0:
            progress(line, table.total_lines)
    if not count:
        raise UserError(path, 2, "no data rows: the file has a header but no incidents")
    if progress:
        progress(table.total_lines, table.total_lines)


def read_csv(
    data: bytes | str | os.PathLike,
    *,
    path: str | None = None,
    mapping: Mapping | None = None,
    progress: RowProgress | None = None,
) -> IncidentList:
    """Incidents from a CSV file; all rows or a UserError naming the first bad one."""
    content, path = load_bytes(data, path)
    return collect(stream_csv(TextSource.of_bytes(content, path), mapping=mapping, progress=progress), "row")
