"""Reading a CSV file as a header and rows, each row with its number and the physical line it
starts on (quoted fields may span lines), turning every csv-module problem into a one-line error."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from typing import TextIO

from truce.errors import UserError
from truce.intake._common import decode_utf8
from truce.intake._source import TextSource

__all__ = ["CsvTable"]

_DELIMITERS = (",", ";", "\t")


def _detect_delimiter(first_line: str) -> str:
    """Spreadsheets in many locales write ';' or tabs; the header line tells which."""
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


class CsvTable:
    def __init__(self, content: bytes, path: str, delimiter: str | None = None) -> None:
        text = decode_utf8(content, path)
        self._start(io.StringIO(text, newline=""), path, text.count("\n") + 1, delimiter)

    @classmethod
    def from_source(cls, source: TextSource, delimiter: str | None = None) -> CsvTable:
        """A table read from a stream as the csv module asks for it (one row in memory at a time)."""
        table = cls.__new__(cls)
        table._start(source.text(newline=""), source.path, source.total_lines, delimiter)
        return table

    def _start(self, text: TextIO, path: str, total_lines: int, delimiter: str | None) -> None:
        self.path = path
        self.total_lines = total_lines
        first = text.readline()
        delimiter = delimiter or _detect_delimiter(first.split("\n", 1)[0])
        lines = itertools.chain((first,), text)
        self._reader = csv.reader(lines, delimiter=delimiter, strict=True)
        self._last_line = 0
        header = self._next_row(0)
        if header is None:
            raise UserError(path, None, "the file is empty")
        self.header = [cell.strip() for cell in header]
        self.header_line = 1
        seen: set[str] = set()
        for name in self.header:
            if name.lower() in seen:
                raise UserError(path, 1, f"column {name!r} appears twice in the header")
            seen.add(name.lower())

    def _next_row(self, number: int) -> list[str] | None:
        start = self._last_line + 1
        try:
            cells = next(self._reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            raise self._error(exc, number, start) from None
        self.start_line = start
        self._last_line = self._reader.line_num
        return cells

    def _error(self, exc: csv.Error, number: int, start: int) -> UserError:
        what = f"row {number}: " if number else "header: "
        text = str(exc)
        if "field larger than field limit" in text:
            limit = csv.field_size_limit()
            return UserError(
                self.path, start, f"{what}a field is longer than {limit} characters (the limit for one cell)"
            )
        if "unexpected end of data" in text:
            return UserError(
                self.path,
                start,
                f"{what}a quoted field opened on this line is never closed (a '\"' is missing)",
            )
        return UserError(self.path, self._reader.line_num, f"{what}malformed CSV: {text}")

    def rows(self) -> Iterator[tuple[int, int, list[str]]]:
        """(row number, first physical line, cells) for each data row; blank rows are skipped."""
        width = len(self.header)
        number = 0
        while True:
            number += 1
            cells = self._next_row(number)
            if cells is None:
                return
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != width:
                raise UserError(
                    self.path,
                    self.start_line,
                    f"row {number}: has {len(cells)} fields but the header has {width}",
                )
            yield number, self.start_line, cells
