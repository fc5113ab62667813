"""An OpenAPI 3.0 rendition of the API's OpenAPI 3.1 document, for clients that only read 3.0
(OWSLib's `api()`, GDAL/OGR, older code generators).

3.1 schemas are JSON Schema 2020-12; 3.0 has its own dialect. What FastAPI writes that 3.0 lacks:
`anyOf` with `{"type": "null"}` (3.0: `nullable`), `type` lists, `const`, numeric
`exclusiveMinimum`/`exclusiveMaximum` (3.0: booleans beside `minimum`/`maximum`), `examples` lists in
schemas (3.0: one `example`), and keywords 3.0 does not have (`propertyNames`, `contentMediaType` …),
which are dropped: the 3.0 rendition may accept a little more than the server does."""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["MEDIA_TYPE_30", "MEDIA_TYPE_31", "to_openapi_30"]

MEDIA_TYPE_31 = "application/vnd.oai.openapi+json;version=3.1"
MEDIA_TYPE_30 = "application/vnd.oai.openapi+json;version=3.0"

_DROPPED = (
    "contentMediaType", "contentEncoding", "$schema", "$id", "unevaluatedProperties", "propertyNames",
    "patternProperties", "prefixItems", "dependentRequired",
)


def _is_null(node: Any) -> bool:  # noqa: ANN401 — any JSON value
    return isinstance(node, dict) and node.get("type") == "null" and len(node) == 1


def _nullable(node: dict) -> dict:
    """anyOf/oneOf [X, null] -> X with nullable (a $ref cannot have siblings in 3.0: allOf it)."""
    for key in ("anyOf", "oneOf"):
        choices = node.get(key)
        if not isinstance(choices, list) or not any(_is_null(c) for c in choices):
            continue
        rest = [c for c in choices if not _is_null(c)]
        node = {k: v for k, v in node.items() if k != key}
        if len(rest) == 1 and "$ref" in rest[0]:
            node["allOf"] = rest
        elif len(rest) == 1:
            node = {**rest[0], **node}
        else:
            node[key] = rest
        node["nullable"] = True
    kinds = node.get("type")
    if isinstance(kinds, list):
        real = [k for k in kinds if k != "null"]
        node["type"] = real[0] if real else "string"
        if "null" in kinds:
            node["nullable"] = True
    return node


def _schema_words(node: dict) -> dict:
    if "const" in node:
        node["enum"] = [node.pop("const")]
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        value = node.get(bound)
        if isinstance(value, int | float) and not isinstance(value, bool):
            node[limit] = value
            node[bound] = True
    examples = node.get("examples")
    if isinstance(examples, list):  # a schema's examples (3.0's media-type examples are a map)
        del node["examples"]
        if examples:
            node["example"] = examples[0]
    for key in _DROPPED:
        node.pop(key, None)
    return node


def _convert(node: Any) -> Any:  # noqa: ANN401 — any JSON value
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = _schema_words(_nullable({key: _convert(value) for key, value in node.items()}))
    return node


def to_openapi_30(document: dict) -> dict:
    """The same API described in OpenAPI 3.0.3."""
    converted = _convert(copy.deepcopy(document))
    converted["openapi"] = "3.0.3"
    converted.pop("jsonSchemaDialect", None)
    converted.pop("webhooks", None)
    info = converted.get("info", {})
    info.pop("summary", None)  # 3.1 only
    info.get("license", {}).pop("identifier", None)
    return converted
