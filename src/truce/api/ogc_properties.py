"""The JSON Schema documents of an OGC collection's columns (truce.publish.columns): `schema`
(Part 5 style, flat), `feature-schema` (a GeoJSON feature's, for GDAL's `describedby`) and
`queryables` (Part 3 style)."""

from __future__ import annotations

from truce.publish.columns import Properties

__all__ = ["feature_schema_document", "schema_document"]


def schema_document(url: str, title: str, properties: Properties, geometry: str) -> dict:
    """A JSON Schema (2020-12) of the collection's features, as OGC API – Features – Part 5
    ("schemas") and Part 3 ("queryables") publish them."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "type": "object",
        "title": title,
        "properties": {
            "geometry": {"format": f"geometry-{geometry.lower()}", "x-ogc-role": "primary-geometry"},
            **{name: {"title": name, **column} for name, column in properties.items()},
        },
        "additionalProperties": False,
    }


def feature_schema_document(url: str, title: str, properties: Properties, geometry: str) -> dict:
    """A JSON Schema of one GeoJSON feature (the columns under `properties`): the shape the
    collection's `describedby` link gives, from which GDAL/OGR takes the column types."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": url,
        "title": title,
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string"},
            "geometry": {"description": f"a GeoJSON {geometry}, or null"},
            "properties": {"type": "object", "properties": properties},
        },
    }
