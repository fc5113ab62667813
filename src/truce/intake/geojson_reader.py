"""GeoJSON FeatureCollections (RFC 7946) whose features are incidents.

Properties are either our flat CSV columns or the nested incident JSON shape (docs/incidents.md).
Point geometries give the location; Polygon and MultiPolygon features are reduced to their centroid,
keeping the precision 'raion', 'oblast' or 'country' when the properties give it and 'unknown'
otherwise (a centroid is never an exact place). The geometry wins over coordinates in properties."""

from __future__ import annotations

import hashlib
import json
import os
import re

import shapely.geometry
from pydantic import ValidationError

from truce.errors import UserError
from truce.intake._common import IncidentList, RowProgress, decode_utf8, load_bytes, validation_message
from truce.intake._flat import FlatRecordParser
from truce.intake.mapping import INPUT_COLUMNS, Mapping
from truce.model import Incident

__all__ = ["read_geojson"]

_AREA_PRECISIONS = ("raion", "oblast", "country")
_WS = re.compile(r"\s*")
_PROGRESS_EVERY = 2000


class _FeatureError(Exception):
    pass


def _feature_lines(text: str) -> list[int]:
    """The line each element of the top-level "features" array starts on (for error messages only:
    the json module gives no positions, so walk the document with raw_decode)."""
    decoder = json.JSONDecoder()
    try:
        i = _WS.match(text, 0).end() + 1  # past '{'
        while True:
            i = _WS.match(text, i).end()
            if text[i] == "}":
                return []
            key, i = decoder.raw_decode(text, i)
            i = _WS.match(text, i).end() + 1  # past ':'
            i = _WS.match(text, i).end()
            if key == "features" and text[i] == "[":
                break
            _, i = decoder.raw_decode(text, i)
            i = _WS.match(text, i).end()
            i += text[i] == ","
        starts, line, counted = [], 1, 0
        i += 1
        while True:
            i = _WS.match(text, i).end()
            if text[i] == "]":
                return starts
            line += text.count("\n", counted, i)
            counted = i
            starts.append(line)
            _, i = decoder.raw_decode(text, i)
            i = _WS.match(text, i).end()
            i += text[i] == ","
    except (ValueError, IndexError):
        return []


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    if isinstance(value, dict):
        raise _FeatureError("properties: expected flat values (or the nested incident shape with 'location')")
    return str(value)


def _place(geometry: object) -> tuple[float, float, bool] | None:
    """(lon, lat, is_area) from a feature's geometry; None when it has none."""
    if geometry is None:
        return None
    if not isinstance(geometry, dict):
        raise _FeatureError("geometry: expected a GeoJSON geometry object or null")
    kind = geometry.get("type")
    if kind == "Point":
        coords = geometry.get("coordinates")
        if (
            not isinstance(coords, list)
            or len(coords) < 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords[:2])
        ):
            raise _FeatureError(f"geometry: Point coordinates must be [longitude, latitude], got {coords!r}")
        lon, lat = float(coords[0]), float(coords[1])
        area = False
    elif kind in ("Polygon", "MultiPolygon"):
        try:
            shape = shapely.geometry.shape(geometry)
        except (ValueError, TypeError, AttributeError, IndexError) as exc:
            raise _FeatureError(f"geometry: not a valid {kind}: {exc}") from None
        if shape.is_empty:
            raise _FeatureError(f"geometry: the {kind} is empty")
        centre = shape.centroid
        lon, lat, area = round(centre.x, 6), round(centre.y, 6), True  # ~0.1 m: an area's centre is no finer
    else:
        raise _FeatureError(f"geometry: {kind!r} is not supported; use Point, Polygon or MultiPolygon")
    if not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise _FeatureError(
            f"geometry: [{lon:g}, {lat:g}] is outside [-180..180, -90..90]; "
            "GeoJSON coordinates are [longitude, latitude]"
        )
    return lon, lat, area


class _GeoJsonReader:
    def __init__(self, content: bytes, path: str, mapping: Mapping | None) -> None:
        self.path = path
        self.prefix = hashlib.sha256(content).hexdigest()[:16]
        self.mapping = mapping
        keys = {field: (mapping.columns.get(field, field) if mapping else field) for field in INPUT_COLUMNS}
        self.keys = keys
        labels = {f: f"{f} (property {k!r})" for f, k in keys.items() if k != f}
        self.flat = FlatRecordParser(path, self.prefix, mapping, labels, unit="feature")

    def incident(self, feature: object, number: int) -> Incident | None:
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise _FeatureError('expected an object with "type": "Feature"')
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            raise _FeatureError("properties: expected an object")
        props = dict(props)
        if props.pop("record", "incident") == "finding":  # our GeoJSON export carries findings too
            return None
        place = _place(feature.get("geometry"))
        if self.mapping is None and ("location" in props or "counts" in props):
            return self._nested(props, feature.get("id"), place, number)
        return self._flat(props, feature.get("id"), place, number)

    def _nested(self, props: dict, feature_id: object, place: tuple | None, number: int) -> Incident:
        props.pop("report_id", None)  # set by the store, never taken from input
        if not props.get("id"):
            props["id"] = str(feature_id) if feature_id is not None else f"{self.prefix}-{number}"
        if place is not None:
            location = props.get("location")
            location = dict(location) if isinstance(location, dict) else {}
            location["lon"], location["lat"] = place[0], place[1]
            if place[2] and location.get("precision") not in _AREA_PRECISIONS:
                location["precision"] = "unknown"
            props["location"] = location
        try:
            return Incident.model_validate(props)
        except ValidationError as exc:
            raise _FeatureError(validation_message(exc)) from None

    def _flat(self, props: dict, feature_id: object, place: tuple | None, number: int) -> Incident:
        if self.mapping is None:
            for key in props:
                if key not in INPUT_COLUMNS:
                    raise _FeatureError(
                        f"unknown property {key!r}; use our columns "
                        f"({', '.join(INPUT_COLUMNS)}), the nested incident shape, "
                        "or a mapping (docs/intake.md)"
                    )
        cells = {field: _cell(props[key]) for field, key in self.keys.items() if key in props}
        if not cells.get("id") and feature_id is not None:
            cells["id"] = str(feature_id)
        if place is not None:
            cells["lon"], cells["lat"] = repr(place[0]), repr(place[1])
            if place[2] and cells.get("precision", "").strip().lower() not in _AREA_PRECISIONS:
                cells["precision"] = "unknown"
        try:
            return self.flat.parse(cells, number, None)
        except UserError as exc:
            raise _FeatureError(exc.message.removeprefix(f"feature {number}: ")) from None


def read_geojson(
    data: bytes | str | os.PathLike,
    *,
    path: str | None = None,
    mapping: Mapping | None = None,
    progress: RowProgress | None = None,
) -> IncidentList:
    """Incidents from a GeoJSON FeatureCollection; all features or a UserError naming the first bad one."""
    content, path = load_bytes(data, path)
    text = decode_utf8(content, path)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(path, exc.lineno, f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        kind = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
        raise UserError(path, 1, f"expected a GeoJSON FeatureCollection, got {kind!r}")
    features = doc.get("features")
    if not isinstance(features, list):
        raise UserError(path, 1, 'the FeatureCollection has no "features" array')
    if not features:
        raise UserError(path, 1, "no features: the FeatureCollection is empty")
    reader = _GeoJsonReader(content, path, mapping)
    out = IncidentList("feature")
    lines: list[int] = []

    def line_of(number: int) -> int | None:
        if not lines:
            lines.extend(_feature_lines(text) or [0])
        return lines[number - 1] or None if number <= len(lines) else None

    out.resolve_line = line_of
    for number, feature in enumerate(features, 1):
        try:
            incident = reader.incident(feature, number)
        except _FeatureError as exc:
            raise UserError(path, line_of(number), f"feature {number}: {exc}") from None
        if incident is None:
            out.skipped["finding"] = out.skipped.get("finding", 0) + 1
            continue
        out.add(incident, number, None)
        if progress and number % _PROGRESS_EVERY == 0:
            progress(number, len(features))
    if not out:
        raise UserError(path, 1, "no incidents: every feature is a finding")
    if progress:
        progress(len(features), len(features))
    return out
