"""The JSON Schema (Draft 2020-12) of a terms file, generated from the pydantic models.

Two rewrites make it useful to any validator, not only to pydantic:
- the provision union is dispatched on `kind` with if/then (plain `oneOf` would report nine failures
  for one typo, and `discriminator` is not a JSON Schema keyword);
- mappings with constrained keys get `propertyNames` (pydantic emits `patternProperties`, which lets
  a bad key through unchecked).
What the schema cannot say — ids that must exist, a value that must be one of a parameter's choices,
the time zone's offset — the loader checks after it.
"""

from __future__ import annotations

import copy
import functools
from typing import Any

from jsonschema import Draft202012Validator

from truce.agreement.model import Agreement
from truce.provisions import PROVISION_KINDS, PROVISION_MODELS

__all__ = ["SCHEMA_DIALECT", "agreement_json_schema", "schema_validator"]

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def agreement_json_schema() -> dict[str, Any]:
    """The JSON Schema of an agreement terms file (a fresh copy; callers may change it)."""
    return copy.deepcopy(_schema())


@functools.cache
def schema_validator() -> Draft202012Validator:
    """A validator for terms data, with the `date` format asserted."""
    return Draft202012Validator(_schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


@functools.cache
def _schema() -> dict[str, Any]:
    schema = Agreement.model_json_schema(mode="validation")
    defs = schema["$defs"]
    defs["Provision"] = _provision_dispatch(defs)
    schema["properties"]["provisions"]["items"] = {"$ref": "#/$defs/Provision"}
    _key_names(schema)
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": "urn:truce:agreement-terms",
        **schema,
        "title": "truce agreement terms",
        "description": "A ceasefire agreement's terms as data: parties, effective time, reference "
        "geography, named parameters and provisions. See docs/agreements.md.",
    }


def _provision_dispatch(defs: dict[str, Any]) -> dict[str, Any]:
    kinds = list(PROVISION_KINDS)
    return {
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {"enum": kinds, "x-expected": f"a provision kind (one of {', '.join(kinds)})"},
        },
        "allOf": [
            {
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {"$ref": f"#/$defs/{PROVISION_MODELS[kind].__name__}"},
            }
            for kind in kinds
            if PROVISION_MODELS[kind].__name__ in defs
        ],
    }


def _key_names(node: Any) -> None:
    """patternProperties {P: S} with propertyNames N -> propertyNames N+pattern P, additionalProperties S."""
    if isinstance(node, dict):
        patterns = node.get("patternProperties")
        if isinstance(patterns, dict) and len(patterns) == 1 and "properties" not in node:
            ((pattern, value_schema),) = patterns.items()
            names = node.get("propertyNames", {})
            node["propertyNames"] = {"type": "string", **names, "pattern": pattern}
            node["additionalProperties"] = value_schema
            del node["patternProperties"]
        for value in node.values():
            _key_names(value)
    elif isinstance(node, list):
        for value in node:
            _key_names(value)
