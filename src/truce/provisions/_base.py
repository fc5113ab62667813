"""What every provision shares: identity, the quoted text it encodes, and the value types of terms files.

Each value type validates itself and carries its own JSON Schema, with an `x-expected` phrase that the
loader puts in error messages ("expected a positive number, got 'forty'"), so the schema and the
models say the same thing in the same words.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema
from pydantic_core import PydanticCustomError

from truce.model.taxonomy import IncidentType

__all__ = [
    "ACTIVITY_TYPES",
    "DEFAULT_HOSTILITIES_TYPES",
    "CASE_OUTCOMES",
    "FORCE_CLASSES",
    "PROVISION_KINDS",
    "ASAP",
    "ActivityType",
    "ActorId",
    "CaseOutcome",
    "Day",
    "ForceClass",
    "Fraction",
    "Name",
    "NonNegativeNumber",
    "ParamRef",
    "PartyId",
    "PositiveNumber",
    "ProvisionBase",
    "ProvisionKind",
    "Ref",
    "Slug",
    "Source",
    "Terms",
    "Text",
    "Timestamp",
    "When",
    "deadline_at",
    "force_class_covers",
    "is_param_ref",
    "show_value",
]

# ---------------------------------------------------------------------------------------------------
# Vocabularies
# ---------------------------------------------------------------------------------------------------

PROVISION_KINDS: tuple[str, ...] = (
    "hostilities",
    "territory_freeze",
    "withdrawal",
    "zone_exclusion",
    "protected_site",
    "cap",
    "milestone",
    "notification",
    "trigger",
)
ProvisionKind = Literal[
    "hostilities",
    "territory_freeze",
    "withdrawal",
    "zone_exclusion",
    "protected_site",
    "cap",
    "milestone",
    "notification",
    "trigger",
]

# Force and weapon classes, each with the broader class it belongs to. A rule about a broad class
# covers the narrower ones: "heavy_forces" covers tanks, artillery and MLRS; "mlrs" covers Smerch.
FORCE_CLASSES: dict[str, str | None] = {
    "armed_forces": None,  # any military personnel or equipment
    "troops": "armed_forces",  # personnel and units
    "heavy_forces": "armed_forces",  # heavy weapons and armour
    "tanks": "heavy_forces",
    "armoured_vehicles": "heavy_forces",
    "artillery_ge_100mm": "heavy_forces",  # guns and howitzers of calibre 100 mm and more
    "mlrs": "heavy_forces",  # multiple launch rocket systems
    "tornado_s": "mlrs",
    "uragan": "mlrs",
    "smerch": "mlrs",
    "tochka": "heavy_forces",  # Tochka / Tochka-U tactical missile systems
    "combat_aircraft": "armed_forces",
    "military_drones": "armed_forces",
}
ForceClass = Literal[
    "armed_forces",
    "troops",
    "heavy_forces",
    "tanks",
    "armoured_vehicles",
    "artillery_ge_100mm",
    "mlrs",
    "tornado_s",
    "uragan",
    "smerch",
    "tochka",
    "combat_aircraft",
    "military_drones",
]

# The incident taxonomy of DESIGN.md (truce.model.taxonomy): what an observation can be.
ACTIVITY_TYPES: tuple[str, ...] = tuple(kind.value for kind in IncidentType)
ActivityType = Literal[ACTIVITY_TYPES]  # type: ignore[valid-type]  # the same names, for the schema
# What a hostilities provision counts when its terms file lists no incident_types: the attacks
# that reports attribute to a party (shelling, strikes, clashes, attacks on civilians, mines). The
# OSCE-style bare observations (explosion, projectile, small_arms_fire) are not in the default: a
# terms file that counts them, as monitoring missions do, lists them (both bundled agreements do).
# Every use of force, those included, is truce.model.USE_OF_FORCE_TYPES.
DEFAULT_HOSTILITIES_TYPES: tuple[str, ...] = (
    "shelling",
    "missile_strike",
    "air_strike",
    "drone_strike",
    "armed_clash",
    "attack_on_civilians",
    "mine_ied",
)

# The CTSAMVM path a case follows; triggers fire on one of these outcomes.
CASE_OUTCOMES: tuple[str, ...] = (
    "allegation",
    "verified_violation",
    "no_violation",
    "insufficient_evidence",
    "fabricated",
)
CaseOutcome = Literal[
    "allegation", "verified_violation", "no_violation", "insufficient_evidence", "fabricated"
]

ASAP = "as soon as possible"


def force_class_covers(rule_class: str, observed_class: str) -> bool:
    """True when a rule about `rule_class` applies to something of `observed_class`."""
    current: str | None = observed_class
    while current is not None:
        if current == rule_class:
            return True
        current = FORCE_CLASSES.get(current)
    return False


# ---------------------------------------------------------------------------------------------------
# Showing values in messages: short, one line, no control characters reaching a terminal
# ---------------------------------------------------------------------------------------------------

_SHOW_LIMIT = 60


def _printable(char: str) -> str:
    if char.isprintable() and char != "'":
        return char
    return char.encode("unicode_escape").decode("ascii") if char != "'" else "\\'"


def show_value(value: object) -> str:
    """How a bad value appears after `got` in an error message."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        if value == "":
            return "an empty text"
        shown = value if len(value) <= _SHOW_LIMIT else value[: _SHOW_LIMIT - 20]
        quoted = "'" + "".join(_printable(char) for char in shown) + "'"
        if len(value) > _SHOW_LIMIT:
            return f"{quoted[:-1]}…' ({len(value):,} characters)"
        return quoted
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)}" if value else "an empty list"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return type(value).__name__


# ---------------------------------------------------------------------------------------------------
# Value types
# ---------------------------------------------------------------------------------------------------

PARAM_REF_PATTERN = r"^\$\{[A-Za-z_][A-Za-z0-9_]{0,63}\}$"
_PARAM_REF = re.compile(PARAM_REF_PATTERN)
SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
ACTOR_PATTERN = r"^[A-Z][A-Z0-9_]{0,15}$"
# ECMA-262 and Python agree on this class: no C0 control characters except tab and newline, no DEL.
_CONTROL = "\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F"
_NO_CONTROL_PATTERN = f"^[^{_CONTROL}]*$"
_NO_CONTROL = re.compile(f"[{_CONTROL}]")
_DATE_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
_TIMESTAMP_PATTERN = (
    r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[T ]([01][0-9]|2[0-3]):[0-5][0-9]"
    r"(:[0-5][0-9](\.[0-9]{1,9})?)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
_DURATION_PATTERN = (
    r"^P(?!$)([0-9]{1,4}Y)?([0-9]{1,4}M)?([0-9]{1,4}W)?([0-9]{1,5}D)?"
    r"(T(?=[0-9])([0-9]{1,6}H)?([0-9]{1,6}M)?([0-9]{1,8}S)?)?$"
)
_DURATION = re.compile(_DURATION_PATTERN)

MAX_NAME = 200
MAX_TEXT = 20_000


class _Bad(Exception):
    """Raised by a checker: the value does not fit; the type's phrase says what would."""


def _value_type(
    py_type: Any,
    check: Callable[[Any], Any],
    schema: dict[str, Any],
    expected: str,
    *,
    unless_ref: str | None = None,
) -> Any:
    """An Annotated type validated by `check`, with `schema` (plus the expected phrase) as JSON Schema.

    `unless_ref` is the phrase for values plainly not meant as a ${parameter} reference.
    """

    def validate(value: Any) -> Any:
        try:
            return check(value)
        except _Bad as bad:
            detail = str(bad)
            meant_ref = isinstance(value, str) and value.startswith("${")
            phrase = unless_ref if unless_ref and not meant_ref else expected
            raise PydanticCustomError(
                "truce_value",
                "expected {expected}, got {got}" + (f" ({detail})" if detail else ""),
                {"expected": phrase, "got": show_value(value)},
            ) from None

    return Annotated[py_type, BeforeValidator(validate), WithJsonSchema({**schema, "x-expected": expected})]


def is_param_ref(value: object) -> bool:
    """True for a whole-value parameter reference such as '${fez_width_km}'."""
    return isinstance(value, str) and _PARAM_REF.match(value) is not None


def _text(max_length: int, *, multiline: bool) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise _Bad()
        if len(value) > max_length:
            raise _Bad(f"at most {max_length:,} characters")
        if _NO_CONTROL.search(value) or (not multiline and ("\n" in value or "\r" in value)):
            raise _Bad("control characters are not allowed")
        return value

    return check


def _pattern(regex: str) -> Callable[[Any], str]:
    compiled = re.compile(regex)

    def check(value: Any) -> str:
        if not isinstance(value, str) or not compiled.match(value):
            raise _Bad()
        return value

    return check


def _string_schema(max_length: int, pattern: str = _NO_CONTROL_PATTERN) -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": pattern}


Name = _value_type(
    str,
    _text(MAX_NAME, multiline=False),
    {**_string_schema(MAX_NAME, "^[^\\x00-\\x1F\\x7F]*[^\\s\\x00-\\x1F\\x7F][^\\x00-\\x1F\\x7F]*$")},
    f"a one-line text of at most {MAX_NAME} characters",
)
Text = _value_type(
    str,
    _text(MAX_TEXT, multiline=True),
    {**_string_schema(MAX_TEXT, f"^[^{_CONTROL}]*[^\\s{_CONTROL}][^{_CONTROL}]*$")},
    f"a non-empty text of at most {MAX_TEXT:,} characters",
)
Slug = _value_type(
    str,
    _pattern(SLUG_PATTERN),
    {"type": "string", "pattern": SLUG_PATTERN},
    "an id of lowercase letters, digits and hyphens, like 'fez-pullback'",
)
PartyId = _value_type(
    str,
    _pattern(ACTOR_PATTERN),
    {"type": "string", "pattern": ACTOR_PATTERN},
    "a party id of capital letters, like 'UA'",
)
ActorId = _value_type(
    str,
    _pattern(ACTOR_PATTERN),
    {"type": "string", "pattern": ACTOR_PATTERN},
    "a party or guarantor id of capital letters, like 'US'",
)
_PARAM_REF_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": PARAM_REF_PATTERN,
    "x-expected": "a parameter reference like ${name}",
    "x-param-ref": True,
}
ParamRef = _value_type(
    str, _pattern(PARAM_REF_PATTERN), _PARAM_REF_SCHEMA, "a parameter reference like ${name}"
)


def _number(minimum: float, *, exclusive: bool, maximum: float | None = None) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if is_param_ref(value):
            return value
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise _Bad()
        if value < minimum or (exclusive and value == minimum):
            raise _Bad()
        if maximum is not None and value > maximum:
            raise _Bad()
        return value

    return check


def _number_or_ref(number_schema: dict[str, Any], phrase: str) -> dict[str, Any]:
    return {"anyOf": [{**number_schema, "x-expected": phrase}, _PARAM_REF_SCHEMA]}


PositiveNumber = _value_type(
    int | float | str,
    _number(0, exclusive=True),
    _number_or_ref({"type": "number", "exclusiveMinimum": 0}, "a positive number"),
    "a positive number or a parameter reference like ${name}",
    unless_ref="a positive number",
)
NonNegativeNumber = _value_type(
    int | float | str,
    _number(0, exclusive=False),
    _number_or_ref({"type": "number", "minimum": 0}, "a number of zero or more"),
    "a number of zero or more or a parameter reference like ${name}",
    unless_ref="a number of zero or more",
)
Fraction = _value_type(
    int | float | str,
    _number(0, exclusive=False, maximum=1),
    _number_or_ref({"type": "number", "minimum": 0, "maximum": 1}, "a fraction between 0 and 1"),
    "a fraction between 0 and 1 or a parameter reference like ${name}",
    unless_ref="a fraction between 0 and 1",
)


def _parse_day(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not re.match(_DATE_PATTERN, value):
        raise _Bad()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _Bad("no such day") from None


def _parse_timestamp(value: Any) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and re.match(_TIMESTAMP_PATTERN, value):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise _Bad("no such day") from None
    else:
        raise _Bad()
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise _Bad("the UTC offset is missing")
    return parsed


_TIMESTAMP_EXPECTED = "a date and time with a UTC offset, like 2026-01-01T00:00:00+02:00"
_TIMESTAMP_SCHEMA: dict[str, Any] = {
    "type": "string",
    "format": "date-time",
    "pattern": _TIMESTAMP_PATTERN,
    "x-expected": _TIMESTAMP_EXPECTED,
}
_DURATION_EXPECTED = "an ISO 8601 duration after the effective time, like P30D"
_DURATION_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": _DURATION_PATTERN,
    "x-expected": _DURATION_EXPECTED,
}

Day = _value_type(
    date,
    _parse_day,
    {"type": "string", "format": "date", "pattern": _DATE_PATTERN},
    "a date like 2025-12-31",
)
Timestamp = _value_type(datetime, _parse_timestamp, _TIMESTAMP_SCHEMA, _TIMESTAMP_EXPECTED)


def _parse_when(value: Any) -> datetime | str:
    if is_param_ref(value):
        return value
    if isinstance(value, str) and _DURATION.match(value):
        return value
    if isinstance(value, datetime) or (isinstance(value, str) and re.match(_TIMESTAMP_PATTERN, value)):
        return _parse_timestamp(value)
    raise _Bad()


# A moment: an absolute time with a UTC offset, or a duration counted from the effective time.
When = _value_type(
    datetime | str,
    _parse_when,
    {"anyOf": [_TIMESTAMP_SCHEMA, _DURATION_SCHEMA, _PARAM_REF_SCHEMA]},
    f"{_TIMESTAMP_EXPECTED} or {_DURATION_EXPECTED} or a parameter reference like ${{name}}",
    unless_ref=f"{_TIMESTAMP_EXPECTED} or {_DURATION_EXPECTED}",
)


def _add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def deadline_at(when: datetime | str, effective: datetime) -> datetime:
    """The absolute moment of a `When`: itself, or the effective time plus the duration."""
    if isinstance(when, datetime):
        return when
    match = _DURATION.match(when)
    if match is None:
        raise ValueError(f"not a resolved moment: {when!r}")
    groups = match.groups()
    years, months, weeks, days, hours, minutes, seconds = (
        int(group[:-1]) if group else 0 for group in (*groups[:4], *groups[5:])
    )
    moment = _add_months(effective, 12 * years + months)
    return moment + timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)


# ---------------------------------------------------------------------------------------------------
# Shared models
# ---------------------------------------------------------------------------------------------------


class Terms(BaseModel):
    """Base of every model in a terms file: unknown fields are mistakes, not extensions."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Terms):
    """Where the quoted text came from."""

    outlet: Name
    date: Day
    locator: Name | None = None  # e.g. "point 2" or "seed 000_718571c05a09ee7c.txt:177"
    url: Name | None = None


class Ref(NamedTuple):
    """An id a provision mentions, for the agreement to check: where, what sort, which id."""

    loc: tuple[str | int, ...]
    sort: Literal["party", "actor", "provision", "zone", "region"]
    value: str


class ProvisionBase(Terms):
    """Identity and provenance shared by every provision kind."""

    id: Slug
    kind: str
    title: Name
    text: Text  # the quoted words this provision encodes
    source: Source
    notes: Text | None = None  # modelling choices and their reasons

    def references(self) -> Iterator[Ref]:
        """The ids this provision mentions, checked against the agreement by the loader."""
        return iter(())
