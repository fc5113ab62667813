"""One-line messages for validation errors: the path, what was expected, what was got.

Both layers speak the same words: JSON Schema errors are described from the schema (its `x-expected`
phrases and `x-message` rules), pydantic errors from the value types' own messages.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError as SchemaError

from truce.agreement.model import Loc, path_text
from truce.provisions._base import show_value

__all__ = ["Problem", "from_pydantic", "from_schema", "pick_first"]


@dataclass(frozen=True)
class Problem:
    loc: Loc  # the path shown in the message
    message: str
    key: str | None = None  # a mapping key at `loc` the problem is about: its line is the one to give

    def text(self) -> str:
        return f"{path_text(self.loc)}: {self.message}"

    def line(self, line_of: Any) -> int | None:
        if self.key is not None:
            return line_of((*self.loc, self.key), key=True)
        return line_of(self.loc)


def pick_first(problems: Iterable[Problem], line_of: Any) -> tuple[Problem, int | None] | None:
    """The problem that comes first in the file (ties: the one found first)."""
    best: tuple[Problem, int | None] | None = None
    for problem in problems:
        line = problem.line(line_of)
        if best is None or (line is not None and (best[1] is None or line < best[1])):
            best = (problem, line)
    return best


# ---------------------------------------------------------------------------------------------------
# JSON Schema errors
# ---------------------------------------------------------------------------------------------------


def from_schema(errors: Iterable[SchemaError], root: dict[str, Any], line_of: Any) -> Problem | None:
    """The first (in file order) of these errors, as a Problem."""
    problems = [_schema_problem(error, root, line_of) for error in errors]
    # A misspelt field also makes the real one missing: the misspelling is the news.
    misspelt = {problem.loc for problem in problems if problem.message.startswith("unknown field")}
    problems = [p for p in problems if not (p.loc in misspelt and p.message.startswith(_MISSING))]
    picked = pick_first(problems, line_of)
    return picked[0] if picked else None


_MISSING = ("missing required field", "a buffer rule needs")


def _schema_problem(error: SchemaError, root: dict[str, Any], line_of: Any) -> Problem:
    loc: Loc = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    instance = error.instance
    validator = error.validator
    if len(error.schema_path) >= 2 and error.schema_path[-2] == "propertyNames":
        return Problem(loc, f"the key {show_value(instance)} is not {describe(schema, root)}", instance)
    if validator in ("anyOf", "oneOf"):
        return _alternatives(error, schema, root, line_of)
    if "x-message" in schema and validator in ("required", "oneOf", "anyOf", "not"):
        return Problem(loc, schema["x-message"])
    if validator == "required":
        missing = next(name for name in error.validator_value if name not in instance)
        return Problem(loc, f"missing required field '{missing}'")
    if validator == "additionalProperties":
        return _unknown_field(loc, schema, instance)
    if validator == "propertyNames":  # pragma: no cover - jsonschema reports the inner keyword instead
        return Problem(loc, f"the key {show_value(instance)} is not allowed here", instance)
    if validator == "maxLength":
        return Problem(loc, f"expected at most {error.validator_value:,} characters, got {len(instance):,}")
    if validator == "minItems":
        need = error.validator_value
        return Problem(
            loc, f"expected at least {need} entr{'y' if need == 1 else 'ies'}, got {show_value(instance)}"
        )
    if validator == "uniqueItems":
        return Problem(loc, "entries must not repeat")
    if validator in ("type", "pattern", "format", "enum", "const", "minLength", "not") or validator.endswith(
        ("imum",)
    ):
        return Problem(loc, f"expected {describe(schema, root)}, got {show_value(instance)}")
    return Problem(loc, " ".join(error.message.split())[:200])


def _unknown_field(loc: Loc, schema: dict[str, Any], instance: dict[str, Any]) -> Problem:
    known = list(schema.get("properties", {}))
    extra = next(key for key in instance if key not in known)
    close = difflib.get_close_matches(extra, known, n=1) if len(extra) < 100 else []
    hint = f"; did you mean '{close[0]}'?" if close else f"; expected one of: {', '.join(known)}"
    return Problem(loc, f"unknown field {show_value(extra)}{hint}", key=extra)


_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "number", float: "number"}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return _JSON_TYPES.get(type(value), "other")


def _alternatives(error: SchemaError, schema: dict[str, Any], root: dict[str, Any], line_of: Any) -> Problem:
    """An anyOf/oneOf failure: report the alternative the value was evidently meant to be."""
    loc: Loc = tuple(error.absolute_path)
    if "x-message" in schema:
        return Problem(loc, schema["x-message"])
    instance = error.instance
    branches = [(index, _deref(branch, root)) for index, branch in enumerate(schema.get(error.validator, []))]
    branches = [(index, branch) for index, branch in branches if branch.get("type") != "null"]
    if any(_is_param_ref(branch, root) for _, branch in branches):
        wants_ref = isinstance(instance, str) and instance.startswith("${")
        branches = [(i, b) for i, b in branches if wants_ref == _is_param_ref(b, root) or _has_ref(b, root)]
    same_type = [(i, b) for i, b in branches if _json_type(instance) in _types_of(b, root)]
    if len(same_type) == 1:
        index, _ = same_type[0]
        inner = [sub for sub in error.context or () if sub.relative_schema_path[0] == index]
        if inner:
            first = pick_first((_schema_problem(sub, root, line_of) for sub in inner), line_of)
            if first is not None:
                return first[0]
    phrases = _dedupe(_leaf_phrases([b for _, b in branches], root, instance))
    return Problem(
        loc, f"expected {' or '.join(phrases) or describe(schema, root)}, got {show_value(instance)}"
    )


def _leaf_phrases(branches: list[dict[str, Any]], root: dict[str, Any], instance: Any) -> list[str]:
    phrases: list[str] = []
    for branch in branches:
        nested = branch.get("anyOf") or branch.get("oneOf")
        if nested:
            subs = [_deref(sub, root) for sub in nested]
            subs = [sub for sub in subs if sub.get("type") != "null"]
            wants_ref = isinstance(instance, str) and instance.startswith("${")
            if any(_is_param_ref(sub, root) for sub in subs):
                subs = [sub for sub in subs if wants_ref == _is_param_ref(sub, root)]
            phrases.extend(_leaf_phrases(subs, root, instance))
        else:
            phrases.append(describe(branch, root))
    return phrases


def _types_of(schema: dict[str, Any], root: dict[str, Any]) -> set[str]:
    schema = _deref(schema, root)
    if "type" in schema:
        kinds = schema["type"]
        found = {kinds} if isinstance(kinds, str) else set(kinds)
        return found | ({"number"} if "integer" in found else set())
    if "const" in schema:
        return {_json_type(schema["const"])}
    types: set[str] = set()
    for key in ("anyOf", "oneOf"):
        for sub in schema.get(key, []):
            types |= _types_of(sub, root)
    return types


def _is_param_ref(schema: dict[str, Any], root: dict[str, Any]) -> bool:
    return bool(_deref(schema, root).get("x-param-ref"))


def _has_ref(schema: dict[str, Any], root: dict[str, Any]) -> bool:
    schema = _deref(schema, root)
    return any(_is_param_ref(sub, root) for sub in schema.get("anyOf", []) + schema.get("oneOf", []))


def _deref(schema: Any, root: dict[str, Any]) -> dict[str, Any]:
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 20:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = root.get("$defs", {}).get(name, {})
        seen += 1
    return schema if isinstance(schema, dict) else {}


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def describe(schema: dict[str, Any], root: dict[str, Any]) -> str:
    """What a schema accepts, in words: 'a positive number', 'one of buffer, area'."""
    schema = _deref(schema, root)
    if "x-expected" in schema:
        return schema["x-expected"]
    if "const" in schema:
        return show_value(schema["const"])
    if "enum" in schema:
        return "one of " + ", ".join(str(value) for value in schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            subs = [sub for sub in schema[key] if _deref(sub, root).get("type") != "null"]
            return " or ".join(_dedupe([describe(sub, root) for sub in subs]))
    kind = schema.get("type")
    if kind == "object":
        required = schema.get("required", [])
        return "a mapping" + (f" with {', '.join(required)}" if required else "")
    if kind == "array":
        items = schema.get("items")
        return "a list" + (f" (each {describe(items, root)})" if isinstance(items, dict) else "")
    return {
        "string": "a text",
        "number": "a number",
        "integer": "a whole number",
        "boolean": "true or false",
        "null": "nothing",
    }.get(kind, "a valid value")


# ---------------------------------------------------------------------------------------------------
# pydantic errors
# ---------------------------------------------------------------------------------------------------


def from_pydantic(errors: list[dict[str, Any]], data: Any, line_of: Any) -> Problem | None:
    picked = pick_first((_pydantic_problem(error, data) for error in errors), line_of)
    return picked[0] if picked else None


def _pydantic_problem(error: dict[str, Any], data: Any) -> Problem:
    loc, key_error = _data_loc(error["loc"], data)
    kind = error["type"]
    message = error["msg"]
    if kind == "missing":
        return Problem(loc[:-1], f"missing required field '{error['loc'][-1]}'")
    if kind == "extra_forbidden" and loc:
        return Problem(loc[:-1], f"unknown field {show_value(loc[-1])}", key=str(loc[-1]))
    if kind in ("value_error", "assertion_error"):
        message = message.split(", ", 1)[1] if ", " in message else message
    elif kind != "truce_value":
        message = f"{message[:1].lower()}{message[1:]}, got {show_value(error.get('input'))}"
    if key_error and loc:
        return Problem(loc[:-1], f"{message} (as a key)", key=str(loc[-1]))
    return Problem(loc, message)


def _data_loc(pydantic_loc: tuple[Any, ...], data: Any) -> tuple[Loc, bool]:
    """Map a pydantic error location onto the data, skipping union tags such as 'zone_exclusion'."""
    loc: list[str | int] = []
    node = data
    items = list(pydantic_loc)
    for position, part in enumerate(items):
        if part == "[key]":
            return tuple(loc), True
        if isinstance(node, dict) and part in node:
            loc.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            loc.append(part)
            node = node[part]
        elif isinstance(node, dict) and position == len(items) - 1 and isinstance(part, str):
            loc.append(part)  # a field that is absent (missing, or an extra key seen by pydantic)
        # anything else is a tag pydantic adds for unions and validators
    return tuple(loc), False
