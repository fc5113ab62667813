"""An incident as the store writes it: one row of the incidents table, as a tuple.

Two ways to the same row. From a validated `Incident` (any source), or, for bulk intake, straight
from the plain fields a reader built (`checked_row`): the fields are checked against the model's own
constraints and serialised with orjson in the model's field order, with no model per row. Whatever
that check is not sure about (an unknown key, a value of another type, a limit crossed) returns
None, and the caller validates the fields with pydantic as before, so every error message stays
pydantic's. The two ways give byte-identical rows (tests/store/test_incident_rows.py)."""

from __future__ import annotations

import functools
import json
import types
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal, NamedTuple, Union, get_args, get_origin

import annotated_types
import orjson
from pydantic import BaseModel, TypeAdapter

from truce.model import Incident
from truce.model.incident import EARLIEST_DATE, LATEST_DATE, Counts, Location, interval_of
from truce.model.taxonomy import ACLED_SUB_EVENT

__all__ = ["INCIDENT_COLUMNS", "IncidentRow", "body_tail_for", "checked_row", "incident_values", "rows_of"]

# The incidents table's columns, in the order of every row tuple here.
INCIDENT_COLUMNS: tuple[str, ...] = (
    "id",
    "report_id",
    "type",
    "date",
    "date_precision",
    "t_start",
    "t_end",
    "lon",
    "lat",
    "precision",
    "country",
    "admin1",
    "actor",
    "status",
    "weapon_class",
    "body",
)
# The end of an incident's JSON when the store has not set its report yet (report_id is its last field).
_NO_REPORT = ',"report_id":null}'
_REPORT_KEY = ',"report_id":'


class IncidentRow(NamedTuple):  # a tuple: cheaper to make than a frozen dataclass
    """A checked incident, serialised, waiting for its report: its id, the columns between report_id
    and body (type .. weapon_class), and its JSON up to (not including) `,"report_id":`."""

    id: str
    columns: tuple
    body_head: str

    def values(self, report_id: str) -> tuple:
        return (self.id, report_id, *self.columns, self.body_head + body_tail_for(report_id))


def body_tail_for(report_id: str) -> str:
    """What follows an IncidentRow's body_head in the body of a row of `report_id`."""
    return f"{_REPORT_KEY}{json.dumps(report_id)}}}"


@functools.lru_cache(maxsize=8192)
def _day_span(day: date, precision: str) -> tuple[int, int]:
    """Epoch seconds of the span a date of this precision stands for (shared by many rows)."""
    start, end = interval_of(day, precision, None)
    return int(start.timestamp()), int(end.timestamp())


def _span(day: date, precision: str, moment: datetime | None) -> tuple[int, int]:
    if moment is None:
        return _day_span(day, precision)
    start, end = interval_of(day, precision, moment)
    return int(start.timestamp()), int(end.timestamp())


def _body(incident: Incident, report_id: str) -> str:
    """The incident's JSON with its report set, without copying the model when it can be helped."""
    if incident.report_id == report_id:
        return incident.model_dump_json()
    if incident.report_id is None:
        text = incident.model_dump_json()
        if text.endswith(_NO_REPORT):
            return f"{text[: -len(_NO_REPORT)]}{_REPORT_KEY}{json.dumps(report_id)}}}"
    return incident.model_copy(update={"report_id": report_id}).model_dump_json()


def incident_values(incident: Incident, report_id: str) -> tuple:
    """The row of a validated incident, in INCIDENT_COLUMNS order."""
    t_start, t_end = _span(incident.date, incident.date_precision, incident.time)
    loc = incident.location
    return (
        incident.id,
        report_id,
        incident.type._value_,  # _value_ is a plain attribute; .value goes through a descriptor
        incident.date,
        incident.date_precision,
        t_start,
        t_end,
        loc.lon,
        loc.lat,
        loc.precision._value_,
        loc.country,
        loc.admin1,
        incident.actor,
        incident.status._value_,
        incident.weapon_class,
        _body(incident, report_id),
    )


def rows_of(items: Iterable[Incident | IncidentRow], report_id: str) -> list[tuple]:
    """The rows of checked incidents of either kind, in INCIDENT_COLUMNS order."""
    tail = body_tail_for(report_id)
    return [
        (item.id, report_id, *item.columns, item.body_head + tail)
        if type(item) is IncidentRow
        else incident_values(item, report_id)
        for item in items
    ]


# --- the quick check, built from the models' own field declarations --------------------------------

_TIME_JSON = TypeAdapter(datetime)  # pydantic's own datetime serialiser ("Z" for UTC, seconds offsets)


@dataclass(frozen=True)
class _Field:
    name: str
    kind: str  # str, int, float, enum, literal, date, datetime, str_list, str_dict, model, other
    default: Any
    low: Any = None  # bounds (ge/le) or lengths (min_length/max_length)
    high: Any = None
    choices: frozenset[str] = frozenset()
    model: type | None = None  # of a nested model, or of an enum
    required: bool = False


def _kind(annotation: Any) -> tuple[str, Any]:
    """What a field holds, from its annotation with `| None` taken off."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) != 1:
            return "other", None
        annotation = args[0]
    if get_origin(annotation) is Literal:
        return "literal", frozenset(get_args(annotation))
    if get_origin(annotation) is list and get_args(annotation) == (str,):
        return "str_list", None
    if get_origin(annotation) is dict and get_args(annotation) == (str, str):
        return "str_dict", None
    if isinstance(annotation, type):
        if issubclass(annotation, StrEnum):
            return "enum", annotation
        if issubclass(annotation, BaseModel):
            return "model", annotation
        for kind in (bool, str, int, float, datetime, date):  # datetime before date: it is a date
            if annotation is kind:
                return kind.__name__, None
    return "other", None


def _fields(model: type[BaseModel]) -> tuple[_Field, ...]:
    out = []
    for name, info in model.model_fields.items():
        kind, extra = _kind(info.annotation)
        low = high = None
        for rule in info.metadata:
            if isinstance(rule, annotated_types.Ge):
                low = rule.ge
            elif isinstance(rule, annotated_types.Le):
                high = rule.le
            elif isinstance(rule, annotated_types.MinLen):
                low = rule.min_length
            elif isinstance(rule, annotated_types.MaxLen):
                high = rule.max_length
            else:
                kind = "other"  # a constraint this check does not know: leave the field to pydantic
        if kind in ("int", "float") and (low is None or high is None):
            kind = "other"  # unbounded numbers are not in the flat shape: pydantic's to judge
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        if isinstance(default, BaseModel):
            default = default.model_dump(mode="json")
        elif isinstance(default, StrEnum):
            default = default.value
        choices = frozenset(extra) if kind in ("enum", "literal") else frozenset()
        model_type = extra if kind in ("model", "enum") else None
        out.append(_Field(name, kind, default, low, high, choices, model_type, info.is_required()))
    return tuple(out)


# Fields this check leaves to pydantic whenever they are given (the store sets report_id).
_ONLY_ABSENT = frozenset({"report_id", "geonameid"})
_INCIDENT, _LOCATION, _COUNTS = _fields(Incident), _fields(Location), _fields(Counts)


class _Unsure(Exception):
    """The quick check cannot vouch for a value: pydantic decides."""


Check = Callable[[Any], Any]  # a field's value -> the value the model's JSON holds, or raises _Unsure


def _unsure() -> Any:
    raise _Unsure


def _all_text(table: dict) -> bool:
    return all(type(key) is str and type(value) is str for key, value in table.items())


def _checker(spec: _Field) -> Check | None:
    """The check of one field, or None for a field left to pydantic whenever it is given."""
    kind, low, high = spec.kind, spec.low, spec.high
    if spec.name in _ONLY_ABSENT:
        return None
    if kind == "str":
        shortest, longest = low or 0, high if high is not None else 1 << 62
        return lambda v: v if type(v) is str and shortest <= len(v) <= longest else _unsure()
    if kind in ("int", "float"):
        wanted = int if kind == "int" else float
        return lambda v: v if type(v) is wanted and low <= v <= high else _unsure()  # NaN fails too
    if kind in ("enum", "literal"):
        choices, members = spec.choices, spec.model
        return lambda v: (
            v if type(v) is str and v in choices else v._value_ if type(v) is members else _unsure()
        )
    if kind == "date":
        return lambda v: v.isoformat() if type(v) is date and EARLIEST_DATE <= v <= LATEST_DATE else _unsure()
    if kind == "datetime":  # ISO 8601 has nothing to escape: the JSON string's inside is the text
        return lambda v: (
            _TIME_JSON.dump_json(v)[1:-1].decode()
            if type(v) is datetime and v.utcoffset() is not None
            else _unsure()
        )
    if kind == "str_list":
        longest = high if high is not None else 1 << 62
        return lambda v: (
            v if type(v) is list and len(v) <= longest and all(type(i) is str for i in v) else _unsure()
        )
    if kind == "str_dict":
        return lambda v: v if type(v) is dict and _all_text(v) else _unsure()
    if kind == "model":
        return lambda v: _json_object(_SHAPES[spec.model], v) if type(v) is dict else _unsure()
    return None


@dataclass(frozen=True)
class _Shape:
    """A model as the quick check sees it: each field's check, and its JSON with every default."""

    checks: dict[str, Check]
    defaults: dict[str, Any]  # in the model's field order, which the JSON keeps
    not_null: frozenset[str]  # fields that refuse an explicit null (required, or with a default)
    required: frozenset[str]


def _shape(fields: tuple[_Field, ...], checker: Callable[[_Field], Check | None]) -> _Shape:
    checks = {spec.name: check for spec in fields if (check := checker(spec)) is not None}
    return _Shape(
        checks,
        {spec.name: spec.default for spec in fields},
        frozenset(spec.name for spec in fields if spec.required or spec.default is not None),
        frozenset(spec.name for spec in fields if spec.required),
    )


def _shapes(checker: Callable[[_Field], Check | None] = _checker) -> dict[type, _Shape]:
    return {
        model: _shape(fields, checker)
        for model, fields in ((Incident, _INCIDENT), (Location, _LOCATION), (Counts, _COUNTS))
    }


_SHAPES = _shapes()


def _json_object(shape: _Shape, data: dict) -> dict:
    out = shape.defaults.copy()  # a copy keeps the key order; assigning a key keeps its place
    checks = shape.checks
    for name, value in data.items():
        check = checks.get(name)
        if check is None:
            raise _Unsure  # a key the model does not have (pydantic names it), or one left to pydantic
        if value is not None:
            out[name] = check(value)
        elif name in shape.not_null:
            raise _Unsure
    if not shape.required <= data.keys():
        raise _Unsure
    return out


def checked_row(data: dict) -> IncidentRow | None:
    """The row of the incident `data` describes (plain values, as Incident.model_validate takes them),
    when these fields are certainly valid; None when pydantic must decide."""
    try:
        body = _json_object(_SHAPES[Incident], data)
    except _Unsure:
        return None
    location = body["location"]
    if (location["lat"] is None) != (location["lon"] is None):
        return None  # Location's own check: lat and lon go together
    if body["acled_sub_event_type"] is None:
        body["acled_sub_event_type"] = ACLED_SUB_EVENT[body["type"]]
    day, precision, moment = data["date"], body["date_precision"], data.get("time")
    t_start, t_end = _span(day, precision, moment)
    text = orjson.dumps(body).decode()
    columns = (
        body["type"],
        day,
        precision,
        t_start,
        t_end,
        location["lon"],
        location["lat"],
        location["precision"],
        location["country"],
        location["admin1"],
        body["actor"],
        body["status"],
        body["weapon_class"],
    )
    return IncidentRow(body["id"], columns, text[: -len(_NO_REPORT)])
