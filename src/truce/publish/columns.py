"""Records as one flat, typed table, for GIS: OGC API features, GeoPackage and flat GeoJSON exports.

GIS clients (QGIS, GDAL/OGR) build a layer's table from the first features they read, so a property
that only some records carry is dropped from the layer. Every record of a layer therefore carries
every column (null where it does not apply), in one order, and the columns have types (as JSON
Schema: string with format date / date-time, integer, number, boolean). Nested objects become
`parent_child` columns; lists become one '; '-joined text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

__all__ = ["Properties", "flatten", "infer_properties", "measured_properties", "model_properties", "project"]

Properties = dict[str, dict]  # property name -> its JSON Schema, in column order

_LIST_JOIN = "; "


def flatten(value: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested objects become prefix_key; lists a '; '-joined string."""
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, Mapping):
            out.update(flatten(item, f"{name}_"))
        elif isinstance(item, list | tuple):
            out[name] = _LIST_JOIN.join(str(v) for v in item)
        else:
            out[name] = item
    return out


def project(flat: Mapping[str, Any], properties: Properties) -> dict[str, Any]:
    """The feature's properties in the collection's columns: every one present, null if absent."""
    return {name: flat.get(name) for name in properties}


# --- from a pydantic model ------------------------------------------------------------------------


def _resolve(node: dict, defs: dict) -> dict:
    while "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _column(node: dict, defs: dict) -> dict | None:
    """The column schema for one model field; None for an object without fixed fields."""
    node = _resolve(node, defs)
    choices = [_resolve(c, defs) for c in node.get("anyOf", [node])]
    choices = [c for c in choices if c.get("type") != "null"] or [{"type": "string"}]
    chosen = choices[0]
    kind = chosen.get("type", "string")
    if kind == "array":
        return {"type": "string", "description": "a '; '-joined list"}
    if kind == "object":
        return None
    column = {"type": kind}
    for key in ("format", "enum"):
        if key in chosen:
            column[key] = chosen[key]
    return column


def model_properties(model: type[BaseModel], skip: Iterable[str] = ()) -> Properties:
    """The flat columns of a response model (nested models expanded), without `skip`."""
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    skipped = set(skip)
    out: Properties = {}

    def walk(node: dict, prefix: str) -> None:
        for name, field in node.get("properties", {}).items():
            if f"{prefix}{name}" in skipped:
                continue
            target = _resolve(field, defs)
            inner = [_resolve(c, defs) for c in target.get("anyOf", [])]
            nested = target if "properties" in target else next((c for c in inner if "properties" in c), None)
            if nested is not None:
                walk(nested, f"{prefix}{name}_")
                continue
            column = _column(field, defs)
            if column is not None:
                out[f"{prefix}{name}"] = column

    walk(schema, "")
    return out


# --- from the data ---------------------------------------------------------------------------------


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _is_moment(text: str) -> bool:
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return "T" in text and moment.tzinfo is not None


def _type_of(values: list[Any]) -> dict:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return {"type": "boolean"}
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return {"type": "integer"}
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return {"type": "number"}
    if present and all(isinstance(v, str) and _is_date(v) for v in present):
        return {"type": "string", "format": "date"}
    if present and all(isinstance(v, str) and _is_moment(v) for v in present):
        return {"type": "string", "format": "date-time"}
    return {"type": "string"}


def infer_properties(rows: Iterable[Mapping[str, Any]]) -> Properties:
    """Columns for flat rows whose keys vary (a finding's measurements): every key seen, in order of
    first appearance, typed by the values seen (integer, number, boolean, date, date-time with an
    offset, else string)."""
    seen: dict[str, list[Any]] = {}
    for row in rows:
        for key, value in row.items():
            seen.setdefault(key, []).append(value)
    return {key: _type_of(values) for key, values in seen.items()}


def measured_properties(findings: Iterable[Mapping[str, Any]]) -> Properties:
    """A column for each measurement any of the findings has (`measured_held_km2`,
    `measured_inside_<zone>` …), sorted by name: which exist depends on the agreements."""
    found = infer_properties(flatten({"measured": f.get("measured") or {}}) for f in findings)
    return dict(sorted(found.items()))
