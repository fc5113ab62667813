"""Parameters and what-ifs: substitute ${name} references, apply "PARAM=VALUE" and
"PROVISION_ID.FIELD=VALUE" overrides, and return a new, validated, fully resolved Agreement."""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from truce.agreement import _messages
from truce.agreement.model import Agreement, Loc, TermsProblem, path_text
from truce.errors import UserError
from truce.located_yaml import YamlProblem, parse_yaml
from truce.provisions._base import is_param_ref, show_value

__all__ = ["resolve", "substitute_parameters"]

_SEGMENT = re.compile(r"^([^.\[\]]+)((?:\[[0-9]+\])*)$")


def resolve(agreement: Agreement, overrides: Mapping[str, object] | None = None) -> Agreement:
    """A copy of `agreement` with what-if overrides applied and every ${parameter} substituted.

    Keys of `overrides` are a parameter name ("fez_width_km") or a provision id and a field path
    ("fez-pullback.sides.UA[0].distance_km"). Values given as text are read as YAML scalars, so
    "40" is a number and "[tanks, mlrs]" a list. A bad key or value raises UserError naming it.
    """
    data = agreement.model_dump(mode="json")
    targets: dict[Loc, str] = {}
    for key, value in (overrides or {}).items():
        loc = _target(data, str(key))
        _set(data, loc, _read_value(value))
        targets[loc] = f"{key}={value}"
    resolved = substitute_parameters(data)
    try:
        return Agreement.model_validate(resolved)
    except ValidationError as error:
        problem = _messages.from_pydantic(error.errors(), resolved, lambda loc, key=False: None)
        assert problem is not None
        raise UserError(None, None, _name_override(problem.loc, problem.text(), targets)) from None
    except TermsProblem as problem:
        raise UserError(None, None, _name_override(problem.loc, str(problem.message), targets)) from None


def substitute_parameters(data: dict[str, Any]) -> dict[str, Any]:
    """A copy of dumped agreement data with each ${name} replaced by the parameter's value."""
    values = {name: entry["value"] for name, entry in data.get("parameters", {}).items()}
    resolved = copy.deepcopy(data)
    resolved["provisions"] = _substitute(resolved.get("provisions", []), values, ("provisions",))
    return resolved


def _substitute(node: Any, values: dict[str, Any], loc: Loc) -> Any:
    if is_param_ref(node):
        name = node[2:-1]
        if name not in values:
            known = ", ".join(sorted(values)) or "none declared"
            raise UserError(
                None, None, f"{path_text(loc)}: unknown parameter {show_value(name)} (known: {known})"
            )
        return values[name]
    if isinstance(node, dict):
        return {key: _substitute(value, values, (*loc, key)) for key, value in node.items()}
    if isinstance(node, list):
        return [_substitute(value, values, (*loc, index)) for index, value in enumerate(node)]
    return node


def _target(data: dict[str, Any], key: str) -> Loc:
    """Where an override key points in the dumped data."""
    head, _, rest = key.partition(".")
    if not rest:
        if head in data.get("parameters", {}):
            return ("parameters", head, "value")
        params = ", ".join(sorted(data.get("parameters", {}))) or "none"
        raise UserError(
            None,
            None,
            f"what-if {show_value(key)}: no parameter of that name (parameters: {params}); "
            "for a provision field write PROVISION_ID.FIELD=VALUE",
        )
    ids = [provision["id"] for provision in data["provisions"]]
    if head not in ids:
        raise UserError(
            None,
            None,
            f"what-if {show_value(key)}: no provision {show_value(head)} (provisions: {', '.join(ids)})",
        )
    loc: Loc = ("provisions", ids.index(head))
    node: Any = data["provisions"][ids.index(head)]
    for segment in rest.split("."):
        for part in _parts(segment, key):
            if isinstance(part, int) or (isinstance(node, list) and part.isdigit()):
                index = int(part)
                if not isinstance(node, list) or index >= len(node):
                    raise UserError(
                        None, None, f"what-if {show_value(key)}: no entry [{index}] at {path_text(loc)}"
                    )
                node, loc = node[index], (*loc, index)
            elif isinstance(node, dict) and part in node:
                node, loc = node[part], (*loc, part)
            else:
                fields = ", ".join(node) if isinstance(node, dict) else "none (not a mapping)"
                raise UserError(
                    None,
                    None,
                    f"what-if {show_value(key)}: {path_text(loc)} has no field {show_value(part)} "
                    f"(fields: {fields})",
                )
    if loc[2:] in ((), ("id",), ("kind",)):
        raise UserError(None, None, f"what-if {show_value(key)}: a provision's id and kind cannot be changed")
    return loc


def _parts(segment: str, key: str) -> list[str | int]:
    match = _SEGMENT.match(segment)
    if match is None:
        raise UserError(
            None, None, f"what-if {show_value(key)}: cannot read the path segment {show_value(segment)}"
        )
    name, indexes = match.groups()
    return [name, *(int(index) for index in re.findall(r"[0-9]+", indexes))]


def _set(data: Any, loc: Loc, value: Any) -> None:
    node = data
    for part in loc[:-1]:
        node = node[part]
    node[loc[-1]] = value


def _read_value(value: object) -> Any:
    """Text from a command line is read as a YAML scalar or flow list; other values pass through."""
    if not isinstance(value, str):
        return value
    if not value.strip():
        return value
    try:
        located = parse_yaml(value)
    except YamlProblem:
        return value
    return value if located is None else located.data


def _name_override(loc: Loc, message: str, targets: dict[Loc, str]) -> str:
    for target, override in targets.items():
        target_loc = target[:-1] if target[-1] == "value" and target[0] == "parameters" else target
        if loc[: len(target_loc)] == target_loc or target_loc[: len(loc)] == loc:
            return f"what-if {override}: {message}"
    return message
