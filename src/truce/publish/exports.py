"""Exports of incidents (and findings) to GeoJSON, CSV, ACLED CSV and GeoPackage.

Every exporter takes an iterable of incidents and a path, writes to a temporary file beside it and
renames it into place, so a reader never sees half a file; each returns the number of records written.
Text cells in CSV exports that a spreadsheet would run as a formula (=, +, -, @ …) are prefixed
with an apostrophe. See docs/intake.md for the columns."""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import struct
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import shapely
import shapely.geometry

from truce.errors import UserError
from truce.intake.acled import ACLED_COLUMNS, PARTY_ACTORS, country_numeric
from truce.intake.mapping import CSV_COLUMNS
from truce.model import Incident
from truce.model.taxonomy import ACLED_EVENT_TYPE, ACLED_SUB_EVENT
from truce.publish.columns import (
    Properties,
    flatten,
    infer_properties,
    measured_properties,
    model_properties,
    project,
)

__all__ = [
    "EXPORTERS",
    "FORMATS_WITH_FINDINGS",
    "Exporter",
    "acled_row",
    "csv_row",
    "export",
    "export_acled",
    "export_csv",
    "export_findings_csv",
    "export_geojson",
    "export_geojson_flat",
    "export_geopackage",
    "finding_feature",
    "findings_path",
    "gpkg_geometry",
    "incident_feature",
    "neutralise",
]

Exporter = Callable[..., int]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# ---------------------------------------------------------------- shared


@contextmanager
def _atomic(path: str | os.PathLike, mode: str = "w") -> Iterator[Path]:
    """A temporary path beside `path` that replaces it only if the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    try:
        yield Path(temp)
        # mkstemp makes the file private; an export is meant to be shared, like any file the user writes.
        os.chmod(temp, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def neutralise(text: str) -> str:
    """Text a spreadsheet would evaluate ("=HYPERLINK(...)") gets a leading apostrophe; numbers such as
    "-12.5" are left alone."""
    if not text or not text.startswith(_FORMULA_START):
        return text
    try:
        float(text)
        return text
    except ValueError:
        return "'" + text


def _number(value: float | int | None) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


def _text(value: object) -> str:
    return "" if value is None else neutralise(str(value))


def _write_csv(path: str | os.PathLike, header: Iterable[str], rows: Iterable[list[str]]) -> int:
    count = 0
    with _atomic(path) as temp, temp.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


# ---------------------------------------------------------------- CSV (our columns)


def csv_row(incident: Incident) -> list[str]:
    """One incident in our CSV columns (CSV_COLUMNS order)."""
    loc, counts = incident.location, incident.counts
    return [
        _text(incident.id),
        incident.type.value,
        incident.date.isoformat(),
        incident.date_precision,
        incident.time.isoformat() if incident.time else "",
        _number(loc.lon),
        _number(loc.lat),
        _text(loc.name),
        _text(loc.country),
        _text(loc.admin1),
        loc.precision.value,
        _text(incident.actor),
        _text(incident.target),
        _text(";".join(incident.weapons)),
        _text(incident.weapon_class),
        _number(counts.quantity),
        _number(counts.launched),
        _number(counts.intercepted),
        _number(counts.hit),
        _number(incident.killed),
        _number(incident.injured),
        incident.status.value,
        _text(incident.claimed_by),
        _text(incident.denied_by),
        _text(incident.source),
        _text(incident.evidence),
        _text(incident.note),
    ]


def export_csv(
    incidents: Iterable[Incident], path: str | os.PathLike, findings: Iterable[dict] | None = None
) -> int:
    """Incidents in our CSV columns (UTF-8, no BOM). Findings are not part of this table: use
    export_findings_csv, GeoJSON or GeoPackage for them."""
    return _write_csv(path, CSV_COLUMNS, (csv_row(incident) for incident in incidents))


def export_findings_csv(findings: Iterable[dict], path: str | os.PathLike) -> int:
    """Findings as CSV: one column per top-level key (first-seen order); nested values as JSON."""
    rows = list(findings)
    columns: dict[str, None] = {}
    for finding in rows:
        columns.update(dict.fromkeys(finding))

    def cell(value: object) -> str:
        if isinstance(value, dict | list):
            return neutralise(json.dumps(value, ensure_ascii=False, default=str))
        if isinstance(value, int | float) and not isinstance(value, bool):
            return _number(value)
        return _text(value)

    return _write_csv(path, columns, ([cell(f.get(c)) for c in columns] for f in rows))


# ---------------------------------------------------------------- ACLED CSV


_TIME_PRECISION = {"hour": "1", "day": "1", "week": "2", "month": "3", "year": "3"}
_GEO_PRECISION = {
    "exact": "1",
    "settlement": "1",
    "raion": "2",
    "oblast": "3",
    "country": "3",
    "unknown": "3",
}


def acled_row(incident: Incident) -> dict[str, str]:
    """One incident as ACLED's 31 columns. An incident read from ACLED gives back its original row
    (same event_id_cnty, event_date, types, actors, coordinates...); others are filled from our fields."""
    loc = incident.location
    sub_event = incident.acled_sub_event_type or ACLED_SUB_EVENT[incident.type]
    event_type = ACLED_EVENT_TYPE.get(sub_event, "Strategic developments")
    numeric, country, region = country_numeric(loc.country) if loc.country else ("", "", "")
    civilian = incident.target == "civilian"
    row = dict.fromkeys(ACLED_COLUMNS, "")
    row.update(
        {
            "event_id_cnty": incident.id,
            "event_date": incident.date.isoformat(),
            "year": str(incident.date.year),
            "time_precision": _TIME_PRECISION[incident.date_precision],
            "disorder_type": event_type if event_type == "Strategic developments" else "Political violence",
            "event_type": event_type,
            "sub_event_type": sub_event,
            "actor1": PARTY_ACTORS.get(incident.actor or "", incident.actor or ""),
            "actor2": f"Civilians ({country})" if civilian and country else "",
            "civilian_targeting": "Civilian targeting" if civilian else "",
            "iso": numeric,
            "region": region,
            "country": country,
            "admin1": (loc.admin1 or "").removesuffix(" Oblast"),
            "location": loc.name or "",
            "latitude": _number(loc.lat),
            "longitude": _number(loc.lon),
            "geo_precision": _GEO_PRECISION[loc.precision.value] if loc.lat is not None else "",
            "source": incident.source or "",
            "notes": incident.note or incident.evidence or "",
            "fatalities": str(incident.killed or 0),
        }
    )
    if incident.acled:
        row.update({k: v for k, v in incident.acled.items() if k in row})
    return {key: neutralise(value) for key, value in row.items()}


def export_acled(
    incidents: Iterable[Incident], path: str | os.PathLike, findings: Iterable[dict] | None = None
) -> int:
    """Incidents as an ACLED-shaped CSV (31 columns, ACLED's order). Findings have no ACLED form."""
    return _write_csv(path, ACLED_COLUMNS, (list(acled_row(i).values()) for i in incidents))


# ---------------------------------------------------------------- GeoJSON (RFC 7946)


def _finding_geometry(finding: dict) -> dict | None:
    geometry = finding.get("geometry")
    if isinstance(geometry, dict) and "type" in geometry:
        return geometry
    for holder in (finding, finding.get("location") or {}):
        if isinstance(holder, dict) and holder.get("lon") is not None and holder.get("lat") is not None:
            return {"type": "Point", "coordinates": [float(holder["lon"]), float(holder["lat"])]}
    return None


def incident_feature(incident: Incident) -> dict:
    """A GeoJSON Feature: a [lon, lat] Point (or null), the incident JSON shape as properties."""
    loc = incident.location
    geometry = None if loc.lat is None else {"type": "Point", "coordinates": [loc.lon, loc.lat]}
    return {
        "type": "Feature",
        "id": incident.id,
        "geometry": geometry,
        "properties": {"record": "incident", **incident.to_json()},
    }


def finding_feature(finding: dict) -> dict:
    properties = {"record": "finding", **{k: v for k, v in finding.items() if k != "geometry"}}
    feature = {"type": "Feature", "geometry": _finding_geometry(finding), "properties": properties}
    if finding.get("id") is not None:
        feature = {"type": "Feature", "id": finding["id"], **feature}
    return feature


def export_geojson(
    incidents: Iterable[Incident],
    path: str | os.PathLike,
    findings: Iterable[dict] | None = None,
    checkpoint: str | None = None,
) -> int:
    """An RFC 7946 FeatureCollection (WGS84, [longitude, latitude]); each feature's properties say
    "record": "incident" or "finding". Written feature by feature, so large exports stay small in memory.
    `checkpoint`, the signed log checkpoint the export was built from, is a foreign member."""
    count = 0

    def all_features() -> Iterator[dict]:
        yield from (incident_feature(incident) for incident in incidents)
        yield from (finding_feature(finding) for finding in findings or ())

    with _atomic(path) as temp, temp.open("w", encoding="utf-8") as out:
        out.write('{"type": "FeatureCollection", ')
        if checkpoint is not None:
            out.write(f'"checkpoint": {json.dumps(checkpoint)}, ')
        out.write('"features": [')
        for feature in all_features():
            out.write(",\n" if count else "\n")
            out.write(json.dumps(feature, ensure_ascii=False, default=str))
            count += 1
        out.write("\n]}\n")
    return count


def findings_path(path: str | os.PathLike) -> Path:
    """Where `geojson-flat` writes findings beside PATH (out.geojson: out-findings.geojson)."""
    target = Path(path)
    return target.with_name(f"{target.stem}-findings{target.suffix or '.geojson'}")


def _flat_layer(
    path: str | os.PathLike, features: list[dict], columns: Properties | None, checkpoint: str | None
) -> int:
    """One GeoJSON layer whose features all carry the same flat columns (null where a value does not
    apply), as the OGC items are: what QGIS and GDAL need to keep every column. Without `columns`,
    they are every key the features have."""
    columns = columns or infer_properties(flatten(f["properties"]) for f in features)
    flat = [{**f, "properties": project(flatten(f["properties"]), columns)} for f in features]
    with _atomic(path) as temp, temp.open("w", encoding="utf-8") as out:
        head = {"type": "FeatureCollection", **({"checkpoint": checkpoint} if checkpoint else {})}
        json.dump({**head, "features": flat}, out, ensure_ascii=False, default=str)
    return len(flat)


def export_geojson_flat(
    incidents: Iterable[Incident],
    path: str | os.PathLike,
    findings: Iterable[dict] | None = None,
    checkpoint: str | None = None,
) -> int:
    """Incidents in PATH and findings in PATH-findings (findings_path), each a layer of flat, typed
    columns (`location_name`, `counts_launched`, `measured_held_km2` …; lists '; '-joined)."""
    drop = ("record", "acled")
    layer = [{**f, "properties": {k: v for k, v in f["properties"].items() if k not in drop}}
             for f in map(incident_feature, incidents)]
    count = _flat_layer(path, layer, model_properties(Incident, drop), checkpoint)
    if findings is not None:
        layer = [{**f, "properties": {k: v for k, v in f["properties"].items() if k != "record"}}
                 for f in map(finding_feature, findings)]
        count += _flat_layer(findings_path(path), layer, None, checkpoint)
    return count


# ---------------------------------------------------------------- GeoPackage (OGC 12-128r18, 1.3)

_WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
    'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],'
    'UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4326"]]'
)
_GPKG_CORE = """
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
"""
_SRS_ROWS = [
    (
        "Undefined cartesian SRS",
        -1,
        "NONE",
        -1,
        "undefined",
        "undefined cartesian coordinate reference system",
    ),
    (
        "Undefined geographic SRS",
        0,
        "NONE",
        0,
        "undefined",
        "undefined geographic coordinate reference system",
    ),
    (
        "WGS 84 geodetic",
        4326,
        "EPSG",
        4326,
        _WGS84_WKT,
        "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
    ),
]
_INCIDENT_COLUMNS = [  # (name, GeoPackage type) after fid and geom
    ("id", "TEXT NOT NULL UNIQUE"),
    ("type", "TEXT NOT NULL"),
    ("acled_sub_event_type", "TEXT"),
    ("date", "DATE NOT NULL"),
    ("date_precision", "TEXT"),
    ("time", "DATETIME"),
    ("lon", "DOUBLE"),
    ("lat", "DOUBLE"),
    ("location_name", "TEXT"),
    ("country", "TEXT"),
    ("admin1", "TEXT"),
    ("precision", "TEXT"),
    ("actor", "TEXT"),
    ("target", "TEXT"),
    ("weapons", "TEXT"),
    ("weapon_class", "TEXT"),
    ("quantity", "INTEGER"),
    ("launched", "INTEGER"),
    ("intercepted", "INTEGER"),
    ("hit", "INTEGER"),
    ("area_km2", "DOUBLE"),
    ("killed", "INTEGER"),
    ("injured", "INTEGER"),
    ("status", "TEXT"),
    ("claimed_by", "TEXT"),
    ("denied_by", "TEXT"),
    ("source", "TEXT"),
    ("evidence", "TEXT"),
    ("note", "TEXT"),
    ("geonameid", "INTEGER"),
    ("pcode", "TEXT"),
    ("report_id", "TEXT"),
    ("body", "TEXT"),
]
_FINDING_COLUMNS = [  # then one typed column per measurement the findings have (measured_…), then body
    ("id", "TEXT"),
    ("agreement_id", "TEXT"),
    ("provision_id", "TEXT"),
    ("kind", "TEXT"),
    ("status", "TEXT"),
    ("severity", "TEXT"),
    ("party", "TEXT"),
    ("date", "DATE"),
    ("zone_id", "TEXT"),
    ("rationale", "TEXT"),
    ("incident_ids", "TEXT"),
    ("snapshot_dates", "TEXT"),
    ("places", "TEXT"),
    ("lon", "DOUBLE"),
    ("lat", "DOUBLE"),
]
# GeoPackage column types for the JSON types of truce.publish.columns.
_GPKG_TYPES = {"integer": "INTEGER", "number": "DOUBLE", "boolean": "BOOLEAN", "string": "TEXT"}
_GPKG_FORMATS = {"date": "DATE", "date-time": "DATETIME"}


def gpkg_geometry(geometry: shapely.Geometry, srs_id: int = 4326) -> bytes:
    """GeoPackageBinary: the 'GP' header (version 0, little-endian, envelope unless a point) + WKB."""
    if geometry.geom_type == "Point":
        flags, envelope = 0b0000_0001, b""
    else:
        minx, miny, maxx, maxy = geometry.bounds
        flags, envelope = 0b0000_0011, struct.pack("<4d", minx, maxx, miny, maxy)
    header = struct.pack("<2sBBi", b"GP", 0, flags, srs_id)
    return header + envelope + shapely.to_wkb(geometry, byte_order=1, output_dimension=2)


def _incident_record(incident: Incident) -> tuple:
    loc, counts = incident.location, incident.counts
    geometry = None if loc.lat is None else shapely.Point(loc.lon, loc.lat)
    return (
        geometry,
        incident.id,
        incident.type.value,
        incident.acled_sub_event_type,
        incident.date.isoformat(),
        incident.date_precision,
        _gpkg_datetime(incident.time),
        loc.lon,
        loc.lat,
        loc.name,
        loc.country,
        loc.admin1,
        loc.precision.value,
        incident.actor,
        incident.target,
        ";".join(incident.weapons) or None,
        incident.weapon_class,
        counts.quantity,
        counts.launched,
        counts.intercepted,
        counts.hit,
        counts.area_km2,
        incident.killed,
        incident.injured,
        incident.status.value,
        incident.claimed_by,
        incident.denied_by,
        incident.source,
        incident.evidence,
        incident.note,
        loc.geonameid,
        loc.pcode,
        incident.report_id,
        incident.model_dump_json(),
    )


def _gpkg_datetime(value: datetime | str | None) -> str | None:
    """GeoPackage DATETIME: ISO 8601 in UTC with a Z (GeoPackage 1.3, 1.1.1.1.1)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        return moment.isoformat(timespec="milliseconds") + "Z"
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _measured_columns(findings: list[dict]) -> list[tuple[str, str]]:
    """A typed GeoPackage column for each measurement any finding has (`measured_held_km2` …)."""
    return [
        (name, _GPKG_FORMATS.get(column.get("format", ""), _GPKG_TYPES[column["type"]]))
        for name, column in measured_properties(findings).items()
    ]


def _finding_point(finding: dict) -> shapely.Geometry | None:
    """A finding's place as a point (a layer has one geometry type; an area gives its centre)."""
    geometry = _finding_geometry(finding)
    if geometry is None:
        return None
    shape = shapely.geometry.shape(geometry)
    return shape if shape.geom_type == "Point" else shape.representative_point()


def _finding_record(finding: dict, columns: list[tuple[str, str]]) -> tuple:
    flat = flatten({k: v for k, v in finding.items() if k != "geometry"})
    values = []
    for name, kind in columns:
        value = flat.get(name)
        if kind == "DATETIME":
            value = _gpkg_datetime(value)
        elif value is not None and not isinstance(value, int | float | str):
            value = str(value)
        values.append(value)
    return (_finding_point(finding), *values, json.dumps(finding, ensure_ascii=False, default=str))


def _feature_table(
    conn: sqlite3.Connection,
    name: str,
    geometry_type: str,
    columns: list[tuple[str, str]],
    records: Iterable[tuple],
    description: str,
) -> int:
    spec = ", ".join(f'"{col}" {kind}' for col, kind in columns)
    conn.execute(
        f'CREATE TABLE "{name}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom {geometry_type}, {spec})'
    )
    marks = ", ".join("?" * (len(columns) + 1))
    names = ", ".join(f'"{col}"' for col, _ in columns)
    count, box = 0, [float("inf"), float("inf"), float("-inf"), float("-inf")]
    insert = f'INSERT INTO "{name}" (geom, {names}) VALUES ({marks})'
    for shape, *values in records:  # records lead with a shapely geometry or None
        conn.execute(insert, (None if shape is None else gpkg_geometry(shape), *values))
        count += 1
        if shape is not None:
            minx, miny, maxx, maxy = shape.bounds
            box = [min(box[0], minx), min(box[1], miny), max(box[2], maxx), max(box[3], maxy)]
    bounds = box if count and box[0] != float("inf") else [None] * 4
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    conn.execute(
        "INSERT INTO gpkg_contents VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?, 4326)",
        (name, name, description, now, *bounds),
    )
    conn.execute("INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, 4326, 0, 0)", (name, geometry_type))
    return count


def export_geopackage(
    incidents: Iterable[Incident], path: str | os.PathLike, findings: Iterable[dict] | None = None
) -> int:
    """A GeoPackage (1.3, WGS84) with an `incidents` point layer and, if findings are given, a
    `findings` layer; QGIS and GDAL open it directly. Written with sqlite3 only (no spatial index)."""
    with _atomic(path) as temp:
        conn = sqlite3.connect(temp)
        try:
            conn.execute("PRAGMA application_id = 1196444487")  # 0x47504B47, 'GPKG'
            conn.execute("PRAGMA user_version = 10300")  # GeoPackage 1.3
            conn.executescript(_GPKG_CORE)
            conn.executemany("INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)", _SRS_ROWS)
            count = _feature_table(
                conn,
                "incidents",
                "POINT",
                _INCIDENT_COLUMNS,
                (_incident_record(i) for i in incidents),
                "truce incidents",
            )
            if findings is not None:
                findings = list(findings)
                columns = [*_FINDING_COLUMNS, *_measured_columns(findings)]
                count += _feature_table(
                    conn,
                    "findings",
                    "POINT",
                    [*columns, ("body", "TEXT")],
                    (_finding_record(f, columns) for f in findings),
                    "truce findings",
                )
            conn.commit()
        finally:
            conn.close()
    return count


# ---------------------------------------------------------------- registry

EXPORTERS: dict[str, Exporter] = {
    "geojson": export_geojson,
    "geojson-flat": export_geojson_flat,
    "csv": export_csv,
    "acled": export_acled,
    "gpkg": export_geopackage,
}
# Formats that carry findings as well as incidents (the others ignore `findings`).
FORMATS_WITH_FINDINGS: frozenset[str] = frozenset({"geojson", "geojson-flat", "gpkg"})


def export(
    fmt: str,
    incidents: Iterable[Incident],
    path: str | os.PathLike,
    findings: Iterable[dict] | None = None,
    checkpoint: str | None = None,
) -> int:
    """Export in the named format (EXPORTERS); returns the number of records written. With a
    checkpoint, it also goes beside the file as PATH.checkpoint (and inside GeoJSON), so a reader can
    check the export against the public log."""
    try:
        exporter = EXPORTERS[fmt]
    except KeyError:
        known = ", ".join(sorted(EXPORTERS))
        raise UserError(str(path), None, f"unknown export format {fmt!r}; known formats: {known}") from None
    extra = {"checkpoint": checkpoint} if checkpoint is not None and fmt.startswith("geojson") else {}
    count = exporter(incidents, path, findings=findings, **extra)
    if checkpoint is not None:
        with _atomic(f"{os.fspath(path)}.checkpoint") as temp:
            temp.write_text(checkpoint, encoding="utf-8")
    return count
