"""Column mappings: how another team's spreadsheet maps onto our CSV columns, without editing it.

A mapping comes from `--map our_field=their_column` options or from a YAML/JSON file:

    columns: {date: "Date of event", lat: "Y", lon: "X", type: "Category"}
    values: {type: {"Artillery": "shelling"}}
    defaults: {country: UA}
    date_format: "%d/%m/%Y"
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from truce.errors import UserError
from truce.located_yaml import YamlProblem, parse_yaml

__all__ = [
    "CSV_COLUMNS",
    "INPUT_COLUMNS",
    "REQUIRED_COLUMNS",
    "WINDOW_COLUMNS",
    "Mapping",
    "load_mapping",
    "mapping_from_options",
    "with_date_format",
]

# Our documented CSV columns, in export order (docs/intake.md).
CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "type",
    "date",
    "date_precision",
    "time",
    "lon",
    "lat",
    "location_name",
    "country",
    "admin1",
    "precision",
    "actor",
    "target",
    "weapons",
    "weapon_class",
    "quantity",
    "launched",
    "intercepted",
    "hit",
    "killed",
    "injured",
    "status",
    "claimed_by",
    "denied_by",
    "source",
    "evidence",
    "note",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("type", "date")
# Read but never written: a date window (UCDP GED's date_start/date_end) instead of a date.
WINDOW_COLUMNS: tuple[str, ...] = ("date_start", "date_end")
INPUT_COLUMNS: tuple[str, ...] = CSV_COLUMNS + WINDOW_COLUMNS
_KNOWN_KEYS = ("columns", "values", "defaults", "date_format", "timezone", "delimiter")


@dataclass(frozen=True)
class Mapping:
    """How to read a CSV (or GeoJSON properties) that does not use our column names.

    columns: our field -> their column (fields not named here are matched by their own name);
    values: our field -> {their value: our value} (e.g. their "Artillery" is our "shelling");
    defaults: our field -> value used when their cell is empty or the column is absent;
    date_format: strptime format of their dates (default ISO 8601, YYYY-MM-DD);
    timezone: zone of times written without a UTC offset (default Europe/Kyiv);
    delimiter: the CSV delimiter if it is not detected from the header line."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    defaults: dict[str, str] = field(default_factory=dict)
    date_format: str | None = None
    timezone: str = "Europe/Kyiv"
    delimiter: str | None = None
    origin: str = "mapping"  # where it came from, for error messages


def _check_field(name: object, origin: str, line: int | None, where: str) -> str:
    if not isinstance(name, str) or name not in INPUT_COLUMNS:
        raise UserError(
            origin, line, f"{where}: unknown field {name!r}; our fields are: {', '.join(INPUT_COLUMNS)}"
        )
    return name


def _as_text(value: object, origin: str, line: int | None, where: str) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        raise UserError(origin, line, f"{where}: expected a text value, got {value!r}")
    return str(value)


def _validated(mapping: Mapping, lines: dict[tuple[str, ...], int]) -> Mapping:
    origin = mapping.origin
    for ours in mapping.columns:
        _check_field(ours, origin, lines.get(("columns", ours)), "columns")
    for ours, table in mapping.values.items():
        _check_field(ours, origin, lines.get(("values", ours)), "values")
        if not isinstance(table, dict):
            raise UserError(
                origin,
                lines.get(("values", ours)),
                f"values: {ours}: expected a table of their value -> our value",
            )
    for ours in mapping.defaults:
        _check_field(ours, origin, lines.get(("defaults", ours)), "defaults")
    if mapping.date_format is not None and "%" not in mapping.date_format:
        raise UserError(
            origin,
            lines.get(("date_format",)),
            f"date_format: expected a strftime pattern such as '%d/%m/%Y', got {mapping.date_format!r}",
        )
    try:
        ZoneInfo(mapping.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            origin,
            lines.get(("timezone",)),
            f"timezone: unknown time zone {mapping.timezone!r}, e.g. Europe/Kyiv or UTC",
        ) from None
    if mapping.delimiter is not None and len(mapping.delimiter) != 1:
        raise UserError(
            origin, lines.get(("delimiter",)), f"delimiter: expected one character, got {mapping.delimiter!r}"
        )
    return mapping


def load_mapping(path: str | os.PathLike) -> Mapping:
    """Read a mapping file (YAML, or JSON, which YAML reads too)."""
    origin = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UserError(origin, None, f"cannot read the mapping file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UserError(origin, None, "the mapping file is not UTF-8 text") from None
    try:
        located = parse_yaml(text)  # JSON is YAML too
    except YamlProblem as problem:
        raise UserError(origin, problem.line, problem.message) from None
    data = located.data if located is not None else None
    if not isinstance(data, dict):
        raise UserError(origin, 1, "expected a mapping with 'columns', 'values', 'defaults', 'date_format'")
    lines = located.key_lines
    for key in data:
        if key not in _KNOWN_KEYS:
            raise UserError(
                origin,
                lines.get((str(key),)),
                f"unknown key {key!r}; expected some of: {', '.join(_KNOWN_KEYS)}",
            )

    def table(key: str) -> dict:
        value = data.get(key) or {}
        if not isinstance(value, dict):
            raise UserError(origin, lines.get((key,)), f"{key}: expected a table of field: value")
        return value

    columns = {
        ours: _as_text(theirs, origin, lines.get(("columns", str(ours))), f"columns: {ours}")
        for ours, theirs in table("columns").items()
    }
    values = {}
    for ours, pairs in table("values").items():
        where = lines.get(("values", str(ours)))
        if not isinstance(pairs, dict):
            raise UserError(origin, where, f"values: {ours}: expected a table of their value: our value")
        label = f"values: {ours}"
        values[ours] = {
            _as_text(k, origin, where, label): _as_text(v, origin, where, label) for k, v in pairs.items()
        }
    defaults = {
        ours: _as_text(value, origin, lines.get(("defaults", str(ours))), f"defaults: {ours}")
        for ours, value in table("defaults").items()
    }
    optional = {
        key: _as_text(data[key], origin, lines.get((key,)), key)
        for key in ("date_format", "timezone", "delimiter")
        if data.get(key) is not None
    }
    mapping = Mapping(columns=columns, values=values, defaults=defaults, origin=origin, **optional)
    return _validated(mapping, lines)


def mapping_from_options(options: Iterable[str], base: Mapping | None = None) -> Mapping:
    """A mapping from `--map our_field=their_column` options, added over `base` (a mapping file)."""
    columns = dict(base.columns) if base else {}
    for option in options:
        ours, sep, theirs = option.partition("=")
        ours, theirs = ours.strip(), theirs.strip()
        if not sep or not ours or not theirs:
            raise UserError("--map", None, f"expected our_field=their_column, got {option!r}")
        columns[_check_field(ours, "--map", None, option)] = theirs
    mapping = replace(base, columns=columns) if base else Mapping(columns=columns, origin="--map")
    return _validated(mapping, {})


def with_date_format(mapping: Mapping | None, date_format: str) -> Mapping:
    """The mapping (or none) with the dates read in `date_format` (`--date-format '%d/%m/%Y'`)."""
    if "%" not in date_format:
        raise UserError(
            "--date-format", None, f"expected a strftime pattern such as '%d/%m/%Y', got {date_format!r}"
        )
    return replace(mapping or Mapping(origin="--date-format"), date_format=date_format)
