"""Load a terms file: YAML -> JSON Schema -> models -> whole-file checks -> parameters resolve.

Every failure is one `UserError(path, line, message)` about the first problem in the file: the
dotted/indexed path of the offending value, what was expected, what was got, and its line.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from truce.agreement import _messages
from truce.agreement.model import Agreement, TermsProblem
from truce.agreement.resolve import substitute_parameters
from truce.agreement.schema import _schema, schema_validator
from truce.errors import UserError
from truce.located_yaml import Located, YamlProblem, parse_yaml
from truce.provisions._base import is_param_ref, show_value

__all__ = ["MAX_FILE_BYTES", "load_agreement", "parse_agreement"]

MAX_FILE_BYTES = 8 * 1024 * 1024
_FIELDS = "id, version, title, parties, effective, timezone, reference, provisions"


def load_agreement(path: str | os.PathLike[str], *, regions: Collection[str] | None = None) -> Agreement:
    """Read, validate and return the agreement in a YAML terms file.

    `regions`, if given, is the set of region (oblast) names the reference geography knows; names
    in the file that are not among them are reported with their line.
    """
    label = os.fspath(path)
    try:
        with Path(path).open("rb") as stream:
            raw = stream.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise UserError(label, None, "no such file") from None
    except IsADirectoryError:
        raise UserError(label, None, "is a directory, not a terms file") from None
    except OSError as error:
        raise UserError(label, None, f"cannot read: {error.strerror or error}") from None
    if len(raw) > MAX_FILE_BYTES:
        raise UserError(label, None, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB: not a terms file")
    return parse_agreement(raw, label, regions=regions)


def parse_agreement(
    source: bytes | str, label: str = "<input>", *, regions: Collection[str] | None = None
) -> Agreement:
    """Validate terms given as bytes or text; `label` names them in errors."""
    text = _decode(source, label)
    try:
        located = parse_yaml(text)
    except YamlProblem as problem:
        raise UserError(label, problem.line, problem.message) from None
    if located is None or located.data is None:
        raise UserError(label, 1, f"the file is empty: expected an agreement, a mapping with {_FIELDS}")
    if not isinstance(located.data, dict):
        raise UserError(label, 1, f"expected a mapping with {_FIELDS}, got {show_value(located.data)}")

    schema_problem = _messages.from_schema(
        schema_validator().iter_errors(located.data), _schema(), located.line_of
    )
    if schema_problem is not None:
        raise _user_error(label, located, schema_problem)

    context = {"regions": set(regions) if regions is not None else None}
    try:
        agreement = Agreement.model_validate(located.data, context=context)
    except ValidationError as error:
        problem = _messages.from_pydantic(error.errors(), located.data, located.line_of)
        raise _user_error(label, located, problem) from None
    except TermsProblem as problem:
        raise _first_terms_problem(label, located, problem) from None

    _check_resolves(agreement, label, located)
    return agreement


def _decode(source: bytes | str, label: str) -> str:
    if isinstance(source, str):
        return source
    try:
        return source.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = source.count(b"\n", 0, error.start) + 1
        raise UserError(label, line, f"not UTF-8 text (byte 0x{source[error.start]:02x})") from None


def _user_error(label: str, located: Located, problem: _messages.Problem | None) -> UserError:
    if problem is None:  # pragma: no cover - a validation error always has at least one entry
        return UserError(label, None, "invalid terms")
    return UserError(label, problem.line(located.line_of), problem.text())


def _first_terms_problem(label: str, located: Located, problem: TermsProblem) -> UserError:
    candidates = getattr(problem, "all", None) or [problem]
    as_problems = [_messages.Problem(candidate.loc, candidate.detail) for candidate in candidates]
    picked = _messages.pick_first(as_problems, located.line_of)
    assert picked is not None
    return UserError(label, picked[1], picked[0].text())


def _check_resolves(agreement: Agreement, label: str, located: Located) -> None:
    """The file must also be valid with its parameters substituted (a width of 'ten' is not)."""
    data = agreement.model_dump(mode="json")
    resolved = substitute_parameters(data)
    try:
        Agreement.model_validate(resolved)
    except ValidationError as error:
        problem = _messages.from_pydantic(error.errors(), resolved, located.line_of)
        assert problem is not None
        raise UserError(label, problem.line(located.line_of), _with_parameter(problem, data)) from None


def _with_parameter(problem: _messages.Problem, unresolved: Any) -> str:
    node = unresolved
    for part in problem.loc:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return problem.text()
    if is_param_ref(node):
        return f"{problem.text()} (the value of parameter {node[2:-1]})"
    return problem.text()
