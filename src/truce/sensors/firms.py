"""Reading NASA FIRMS active-fire files as NASA distributes them.

Three layouts are recognised by their header (case-insensitive, any column order):
- VIIRS NRT/standard: latitude, longitude, bright_ti4, scan, track, acq_date, acq_time, satellite,
  confidence (l/n/h or low/nominal/high), version, bright_ti5, frp, daynight [, instrument, type];
- MODIS NRT/standard: the same with brightness / bright_t31 and a 0–100 confidence;
- the archive form LATITUDE, LONGITUDE, ACQ_DATE (no time, satellite or instrument).
Every row becomes a Detection; a bad row is a one-line error naming the file, line and field."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass

from truce.errors import UserError
from truce.intake._csvtable import CsvTable

__all__ = ["Detection", "read_firms"]

_REQUIRED = ("latitude", "longitude", "acq_date")
_SATELLITES = {  # FIRMS codes -> the platform's name
    "N": "Suomi NPP",
    "NPP": "Suomi NPP",
    "N20": "NOAA-20",
    "1": "NOAA-20",
    "N21": "NOAA-21",
    "2": "NOAA-21",
    "T": "Terra",
    "TERRA": "Terra",
    "A": "Aqua",
    "AQUA": "Aqua",
}
_VIIRS_CONFIDENCE = {
    "l": "low",
    "n": "nominal",
    "h": "high",
    "low": "low",
    "nominal": "nominal",
    "high": "high",
}


@dataclass(frozen=True)
class Detection:
    """One FIRMS row: a fire pixel seen by one satellite on one overpass."""

    lat: float
    lon: float
    date: dt.date  # acquisition date, UTC
    time: str | None  # "HH:MM" UTC; None in the archive form
    instrument: str  # VIIRS, MODIS, or "unknown" (archive form)
    satellite: str | None  # FIRMS code as written (N, N20, N21, Terra, Aqua, ...)
    confidence: str | None  # low / nominal / high (VIIRS) or 0–100 (MODIS)
    frp: float | None  # fire radiative power, MW
    scan_km: float | None  # pixel size across track
    track_km: float | None  # pixel size along track
    daynight: str | None
    line: int

    @property
    def id(self) -> str:
        """The same detection in two files (a daily file and a monthly one) has the same id."""
        when = f"{self.date}|{self.time or ''}"
        key = f"{self.instrument}|{self.satellite or ''}|{when}|{self.lat:.5f}|{self.lon:.5f}"
        return "fd-" + hashlib.sha256(key.encode()).hexdigest()[:20]

    @property
    def platform(self) -> str | None:
        return _SATELLITES.get((self.satellite or "").upper(), self.satellite)


class _Row:
    def __init__(self, cells: list[str], columns: dict[str, int], path: str, line: int) -> None:
        self.cells, self.columns, self.path, self.line = cells, columns, path, line

    def text(self, name: str) -> str | None:
        index = self.columns.get(name)
        if index is None or index >= len(self.cells):
            return None
        value = self.cells[index].strip()
        return value or None

    def fail(self, name: str, message: str) -> UserError:
        return UserError(self.path, self.line, f"{name}: {message}")

    def number(self, name: str, low: float | None = None, high: float | None = None) -> float | None:
        value = self.text(name)
        if value is None:
            return None
        try:
            number = float(value)
        except ValueError:
            raise self.fail(name, f"expected a number, got {value!r}") from None
        if (
            not math.isfinite(number)
            or (low is not None and number < low)
            or (high is not None and number > high)
        ):
            raise self.fail(name, f"expected a number between {low} and {high}, got {value!r}")
        return number

    def required_number(self, name: str, low: float, high: float) -> float:
        number = self.number(name, low, high)
        if number is None:
            raise self.fail(name, "is empty")
        return number


def _time(row: _Row) -> str | None:
    """FIRMS writes HHMM without leading zeros (e.g. 52 for 00:52); some tools write HH:MM[:SS]."""
    value = row.text("acq_time")
    if value is None:
        return None
    if ":" in value:
        parts = value.split(":")
        ok = len(parts) in (2, 3) and all(p.isdigit() and len(p) <= 2 for p in parts)
        hours, minutes = (int(parts[0]), int(parts[1])) if ok else (99, 99)
    else:
        ok = value.isdigit() and len(value) <= 4
        hours, minutes = divmod(int(value), 100) if ok else (99, 99)
    if hours > 23 or minutes > 59:
        raise row.fail("acq_time", f"expected a UTC time as HHMM or HH:MM, got {value!r}")
    return f"{hours:02d}:{minutes:02d}"


def _confidence(row: _Row, instrument: str) -> str | None:
    value = row.text("confidence")
    if value is None:
        return None
    if instrument == "MODIS":
        number = row.number("confidence", 0, 100)
        return str(int(number)) if number is not None else None
    label = _VIIRS_CONFIDENCE.get(value.lower())
    if label is None:
        raise row.fail("confidence", f"expected l, n or h (low, nominal, high), got {value!r}")
    return label


def _instrument(columns: dict[str, int]) -> str:
    if "bright_ti4" in columns:
        return "VIIRS"
    if "brightness" in columns:
        return "MODIS"
    return "unknown"


def _detection(row: _Row, instrument: str) -> Detection:
    day = row.text("acq_date")
    try:
        date = dt.date.fromisoformat(day or "")
    except ValueError:
        raise row.fail("acq_date", f"expected a date YYYY-MM-DD, got {day!r}") from None
    named = (row.text("instrument") or instrument).upper()
    if instrument != "unknown" and named not in (instrument, "UNKNOWN"):
        raise row.fail("instrument", f"says {named} but the columns are those of {instrument}")
    return Detection(
        lat=row.required_number("latitude", -90, 90),
        lon=row.required_number("longitude", -180, 180),
        date=date,
        time=_time(row),
        instrument=instrument,
        satellite=row.text("satellite"),
        confidence=_confidence(row, instrument),
        frp=row.number("frp", 0, None),
        scan_km=row.number("scan", 0, 50),
        track_km=row.number("track", 0, 50),
        daynight=row.text("daynight"),
        line=row.line,
    )


def read_firms(
    content: bytes, *, path: str = "<input>", progress: Callable[[int, int], None] | None = None
) -> list[Detection]:
    """Every detection in a FIRMS CSV (VIIRS, MODIS or archive form), in file order."""
    table = CsvTable(content, path)
    columns = {name.lower(): index for index, name in enumerate(table.header)}
    missing = [name for name in _REQUIRED if name not in columns]
    if missing:
        raise UserError(
            path,
            1,
            f"not a FIRMS file: no column {', '.join(missing)} (expected the VIIRS or MODIS CSV "
            "columns, or LATITUDE,LONGITUDE,ACQ_DATE)",
        )
    instrument = _instrument(columns)
    found: list[Detection] = []
    for number, line, cells in table.rows():
        if not any(cell.strip() for cell in cells):
            continue
        found.append(_detection(_Row(cells, columns, path, line), instrument))
        if progress and number % 5000 == 0:
            progress(line, table.total_lines)
    if progress:
        progress(table.total_lines, table.total_lines)
    return found
