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
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal, Union, get_args, get_origin

import annotated_types
import orjson
from pydantic import BaseModel, TypeAdapter

from truce.model import Incident
from truce.model.incident import EARLIEST_DATE, LATEST_DATE, Counts, Location, interval_of
from truce.model.taxonomy import ACLED_SUB_EVENT

__all__ = ["INCIDENT_COLUMNS", "IncidentRow", "checked_row", "incident_values", "row_values"]

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


@dataclass(frozen=True, slots=True)
class IncidentRow:
    """A checked incident, serialised, waiting for its report: its id, the columns between report_id
    and body (type .. weapon_class), and its JSON up to (not including) `,"report_id":`."""

    id: str
    columns: tuple
    body_head: str

    def values(self, report_id: str) -> tuple:
        return (self.id, report_id, *self.columns, f"{self.body_head}{_REPORT_KEY}{json.dumps(report_id)}}}")


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


def row_values(item: Incident | IncidentRow, report_id: str) -> tuple:
    """The row of either kind of checked incident."""
    if isinstance(item, IncidentRow):
        return item.values(report_id)
    return incident_values(item, report_id)


# --- the fast check, built from the models' own field declarations ---------------------------------

_TIME_JSON = TypeAdapter(datetime)  # pydantic's own datetime serialiser ("Z" for UTC, seconds offsets)


@dataclass(frozen=True)
class _Field:
    name: str
    kind: str  # str, int, float, enum, literal, date, datetime, str_list, str_dict, model
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


_INCIDENT, _LOCATION, _COUNTS = _fields(Incident), _fields(Location), _fields(Counts)
_NESTED = {Location: _LOCATION, Counts: _COUNTS}
_NAMES = {model: frozenset(model.model_fields) for model in (Incident, Location, Counts)}
# Fields this check leaves to pydantic when present (their validators do more than a type check).
_ONLY_ABSENT = frozenset({"report_id", "geonameid"})


class _Unsure(Exception):
    """The fast check cannot vouch for a value: pydantic decides."""


def _json_value(spec: _Field, value: Any) -> Any:
    """The value as the model's JSON holds it, or _Unsure."""
    kind = spec.kind
    kind_type = type(value)
    if kind == "str":
        if kind_type is not str or (spec.low is not None and len(value) < spec.low):
            raise _Unsure
        if spec.high is not None and len(value) > spec.high:
            raise _Unsure
        return value
    if kind == "int":
        if kind_type is not int or not spec.low <= value <= spec.high:
            raise _Unsure
        return value
    if kind == "float":
        if kind_type is not float or not spec.low <= value <= spec.high:  # NaN fails too
            raise _Unsure
        return value
    if kind in ("enum", "literal"):
        if kind_type is spec.model:  # a member of the field's own enum
            return value._value_
        if kind_type is not str or value not in spec.choices:
            raise _Unsure
        return value
    if kind == "date":
        if kind_type is not date or not EARLIEST_DATE <= value <= LATEST_DATE:
            raise _Unsure
        return value.isoformat()
    if kind == "datetime":
        if kind_type is not datetime or value.utcoffset() is None:
            raise _Unsure
        return _TIME_JSON.dump_json(value)[1:-1].decode()  # ISO 8601 has nothing to escape
    if kind == "str_list":
        if kind_type is not list or (spec.high is not None and len(value) > spec.high):
            raise _Unsure
        if any(type(item) is not str for item in value):
            raise _Unsure
        return value
    if kind == "str_dict":
        if kind_type is not dict or not all(type(k) is str and type(v) is str for k, v in value.items()):
            raise _Unsure
        return value
    if kind == "model" and kind_type is dict:
        return _json_object(_NESTED[spec.model], _NAMES[spec.model], value)
    raise _Unsure


def _json_object(fields: tuple[_Field, ...], names: frozenset[str], data: dict) -> dict:
    if not data.keys() <= names:
        raise _Unsure  # a key the model does not have (pydantic refuses it, by name)
    out = {}
    for spec in fields:
        value = data.get(spec.name)
        if value is None:
            if spec.required or (spec.name in data and spec.default is not None):
                raise _Unsure  # missing, or an explicit null where the model has a default
            out[spec.name] = spec.default
            continue
        if spec.name in _ONLY_ABSENT:
            raise _Unsure
        out[spec.name] = _json_value(spec, value)
    return out


def checked_row(data: dict) -> IncidentRow | None:
    """The row of the incident `data` describes (plain values, as Incident.model_validate takes them),
    when these fields are certainly valid; None when pydantic must decide."""
    try:
        body = _json_object(_INCIDENT, _NAMES[Incident], data)
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
