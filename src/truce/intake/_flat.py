"""One flat record (our CSV columns, as text) -> Incident. Used by the CSV reader and by GeoJSON
features whose properties are flat. Cells are checked here with messages a person can act on;
pydantic then checks the whole incident."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import get_args
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from truce.errors import UserError
from truce.intake._common import validation_message
from truce.intake.mapping import Mapping
from truce.model import ClaimStatus, Incident, IncidentType, LocationPrecision
from truce.model.incident import DatePrecision
from truce.store.incident_rows import IncidentRow, checked_row

__all__ = ["FlatRecordParser"]

# Valid values in their documented order (for messages) and as sets (for the per-row check).
_TYPE_LIST = [t.value for t in IncidentType]
_STATUS_LIST = [s.value for s in ClaimStatus]
_PRECISION_LIST = [p.value for p in LocationPrecision]
_DATE_PRECISION_LIST = list(get_args(DatePrecision))
_TYPES, _STATUSES = frozenset(_TYPE_LIST), frozenset(_STATUS_LIST)
_PRECISIONS, _DATE_PRECISIONS = frozenset(_PRECISION_LIST), frozenset(_DATE_PRECISION_LIST)
_TEXT_FIELDS = ("actor", "target", "weapon_class", "claimed_by", "denied_by", "source", "evidence", "note")
_LOCATION_TEXT = (("location_name", "name"), ("admin1", "admin1"))
_COUNT_FIELDS = ("quantity", "launched", "intercepted", "hit")
# Where pydantic reports a problem (its loc) -> the flat column it came from.
_FLAT_NAMES: dict[tuple, str] = {
    ("location", "name"): "location_name",
    ("location", "lat"): "lat",
    ("location", "lon"): "lon",
    ("location", "country"): "country",
    ("location", "admin1"): "admin1",
    ("location", "precision"): "precision",
    ("location",): "lat/lon",
    **{("counts", name): name for name in _COUNT_FIELDS},
}


class _CellError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _choice(field: str, text: str, valid: frozenset[str], ordered: list[str]) -> str:
    if text in valid:
        return text
    lowered = text.lower()
    if lowered in valid:
        return lowered
    raise _CellError(field, f"unknown {field} {text!r}; valid values: {', '.join(ordered)}")


def _number(field: str, text: str, low: float, high: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:  # NaN fails the comparison too
        raise _CellError(field, f"expected a number between {low:g} and {high:g}, got {text!r}")
    return value


# (precision, half-width in days of the span it stands for: Incident.interval), narrowest first.
_WINDOW_PRECISIONS = (("day", 0), ("week", 3), ("month", 15), ("year", 182))


def _no_such_day(text: str, date_format: str | None, error: ValueError) -> bool:
    """Is `text` a date in the expected form that names no day ("2024-02-30")?"""
    if date_format:
        return "out of range" in str(error) or "must be in" in str(error)
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) is not None


def _count(field: str, text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is None or not number.is_integer():  # spreadsheets write 3 as "3.0"
            raise _CellError(field, f"expected a whole number, got {text!r}") from None
        value = int(number)
    if value < 0:
        raise _CellError(field, f"expected a whole number of 0 or more, got {text!r}")
    return value


class FlatRecordParser:
    """Turns flat records of one file into incidents. `labels` name our fields as the user's file
    does (e.g. "lat (column 'Y')"), for error messages."""

    def __init__(
        self,
        path: str,
        fallback_prefix: str,
        mapping: Mapping | None = None,
        labels: dict[str, str] | None = None,
        unit: str = "row",
    ) -> None:
        self.path = path
        self.fallback_prefix = fallback_prefix
        self.unit = unit
        mapping = mapping or Mapping()
        self.values = mapping.values
        self.folded = {
            name: {k.strip().casefold(): v for k, v in table.items()}
            for name, table in mapping.values.items()
        }
        self.defaults = {k: v for k, v in mapping.defaults.items() if v.strip()}
        self.date_format = mapping.date_format
        self.zone = ZoneInfo(mapping.timezone)
        self.labels = labels or {}
        self.names = {loc: self.labels.get(name, name) for loc, name in _FLAT_NAMES.items()}

    def parse(self, cells: dict[str, str], number: int, line: int | None) -> Incident:
        """cells: our field -> the raw text of its cell."""
        return self._validated(self._fields(cells, number, line), number, line)

    def parse_row(self, cells: dict[str, str], number: int, line: int | None) -> IncidentRow | Incident:
        """As parse, for the store: the row straight from the checked fields, or, when the quick
        check leaves them to pydantic, the validated incident (or pydantic's error)."""
        data = self._fields(cells, number, line)
        return checked_row(data) or self._validated(data, number, line)

    def _fields(self, cells: dict[str, str], number: int, line: int | None) -> dict:
        try:
            return self._build(cells, number)
        except _CellError as exc:
            label = self.labels.get(exc.field, exc.field)
            raise UserError(self.path, line, f"{self.unit} {number}: {label}: {exc.message}") from None

    def _validated(self, data: dict, number: int, line: int | None) -> Incident:
        try:
            return Incident.model_validate(data)
        except ValidationError as exc:
            raise UserError(
                self.path, line, f"{self.unit} {number}: {validation_message(exc, self.names)}"
            ) from None

    def _cells(self, cells: dict[str, str]) -> dict[str, str]:
        out = {name: text for name, raw in cells.items() if raw and (text := raw.strip())}
        for name, table in self.values.items():  # mapped values, e.g. "RUS" -> "RU"
            text = out.get(name)
            if text is not None:
                out[name] = table.get(text) or self.folded[name].get(text.casefold()) or text
        for name, default in self.defaults.items():
            out.setdefault(name, default)
        return out

    def _date(self, text: str | None, name: str = "date") -> date:
        if text is None:
            raise _CellError(name, "required, e.g. 2026-01-05")
        try:
            if self.date_format:
                return datetime.strptime(text, self.date_format).date()
            return date.fromisoformat(text)
        except ValueError as exc:
            if _no_such_day(text, self.date_format, exc):
                raise _CellError(name, f"{text!r} is in the right form, but there is no such day") from None
            form = self.date_format or "YYYY-MM-DD, e.g. 2026-01-05"
            raise _CellError(name, f"expected a date in the form {form}, got {text!r}") from None

    def _day_and_precision(self, v: dict[str, str]) -> tuple[date, str | None]:
        """The date, or, from a window (date_start/date_end, as UCDP GED gives them), its middle day
        and the narrowest precision whose span covers the window."""
        if "date" in v or "date_start" not in v:
            return self._date(v.get("date")), None
        start = self._date(v["date_start"], "date_start")
        end = self._date(v.get("date_end", v["date_start"]), "date_end")
        if end < start:
            raise _CellError("date_end", f"{end} is before date_start {start}")
        middle = start + (end - start) // 2
        reach = max((middle - start).days, (end - middle).days)
        for precision, half in _WINDOW_PRECISIONS:
            if reach <= half:
                return middle, precision
        raise _CellError("date_end", f"a window of {(end - start).days + 1} days is longer than a year")

    def _time(self, text: str, day: date) -> datetime:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            try:
                moment = datetime.combine(day, time.fromisoformat(text))
            except ValueError:
                raise _CellError(
                    "time", f"expected a time such as 2026-01-05T03:40:00+02:00 or 03:40, got {text!r}"
                ) from None
        if moment.tzinfo is None:  # spreadsheets write local time; ours is the mapping's zone
            moment = moment.replace(tzinfo=self.zone)
        return moment

    def _build(self, cells: dict[str, str], number: int) -> dict:
        v = self._cells(cells)
        if "type" not in v:
            raise _CellError("type", f"required; valid values: {', '.join(_TYPE_LIST)}")
        day, window = self._day_and_precision(v)
        data: dict = {
            "id": v.get("id") or f"{self.fallback_prefix}-{number}",
            "type": _choice("type", v["type"], _TYPES, _TYPE_LIST),
            "date": day,
        }
        if window:
            data["date_precision"] = window
        if "date_precision" in v:
            data["date_precision"] = _choice(
                "date_precision", v["date_precision"], _DATE_PRECISIONS, _DATE_PRECISION_LIST
            )
        if "time" in v:
            data["time"] = self._time(v["time"], day)
        if "status" in v:
            data["status"] = _choice("status", v["status"], _STATUSES, _STATUS_LIST)
        for name in _TEXT_FIELDS:
            if name in v:
                data[name] = v[name]
        if "weapons" in v:
            data["weapons"] = [w.strip() for w in v["weapons"].split(";") if w.strip()]
        for name in ("killed", "injured"):
            if name in v:
                data[name] = _count(name, v[name])
        counts = {name: _count(name, v[name]) for name in _COUNT_FIELDS if name in v}
        if counts:
            data["counts"] = counts
        location = self._location(v)
        if location:
            data["location"] = location
        return data

    def _location(self, v: dict[str, str]) -> dict:
        location: dict = {ours: v[flat] for flat, ours in _LOCATION_TEXT if flat in v}
        if "country" in v:
            code = v["country"]
            if len(code) != 2 or not code.isalpha():
                raise _CellError(
                    "country", f"expected a two-letter ISO 3166 code such as UA or RU, got {code!r}"
                )
            location["country"] = code.upper()
        if "lat" in v:
            location["lat"] = _number("lat", v["lat"], -90, 90)
        if "lon" in v:
            location["lon"] = _number("lon", v["lon"], -180, 180)
        if "precision" in v:
            location["precision"] = _choice(
                "precision", v["precision"], _PRECISIONS, _PRECISION_LIST
            )
        return location
