"""The store's row of an incident, two ways: checked straight from plain fields (checked_row, bulk
intake) and through the pydantic model (incident_values, everything else). They must agree byte for
byte on every row the quick check accepts, and the quick check must accept nothing pydantic refuses.
The comparison is run on hostile, generated fields, and shown to catch deliberately broken variants."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from truce.model import ClaimStatus, Incident, IncidentType
from truce.store import incident_rows
from truce.store.incident_rows import INCIDENT_COLUMNS, IncidentRow, checked_row, incident_values
from truce.store.schema import incidents

REPORT = "rep-0123456789abcdef"
_TEXTS = [
    "",
    "a",
    'quote " and \\ backslash',
    "line\nbreak\ttab\r\x00\x01\x1f\x7f",
    "Покровськ",
    "emoji 🚀 and \u2028\u2029 separators",
    "\ufeffbom",
    "é" * 100,
    "é" * 101,
    "x" * 200,
    "x" * 201,
    "x" * 300,
    "x" * 301,
    "x" * 2001,
    "x" * 5001,
]
_TIMES = [
    datetime(2026, 1, 5, 3, 40, tzinfo=timezone(timedelta(hours=2))),
    datetime(2026, 1, 5, 3, 40, tzinfo=UTC),
    datetime(2026, 1, 5, 3, 40, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    datetime(2026, 1, 5, 3, 40, 0, 123, tzinfo=timezone(timedelta(hours=-3, seconds=30))),
    datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Kyiv")),  # in the spring-forward gap
    datetime(2026, 10, 25, 3, 30, fold=1, tzinfo=ZoneInfo("Europe/Kyiv")),
    datetime(2026, 1, 5, 3, 40, 0, 500000, tzinfo=ZoneInfo("Europe/Kyiv")),
    datetime(2026, 1, 5, 3, 40),  # naive: refused
    "2026-01-05T03:40:00+02:00",  # text: left to pydantic
]
_FLOATS = [
    0.0,
    -0.0,
    1e-7,
    2.5e-8,
    48.28260,
    90.0,
    -90.0,
    90.00000000000001,
    180.0,
    -180.5,
    37.1758,
    float("nan"),
    float("inf"),
    48,
    True,
    "48.1",
    1 / 3,
    5e-324,
]
_COUNTS = [0, 1, 1_000_000_000, 1_000_000_001, -1, True, 3.0, "3", None]


def _maybe(rng: random.Random, values: list) -> object:
    """Mostly a value from the pool's first half (the plausible ones), sometimes any of them."""
    return rng.choice(values[: max(1, len(values) // 2)] if rng.random() < 0.9 else values)


def _location(rng: random.Random) -> object:
    roll = rng.random()
    if roll < 0.03:
        return None
    if roll < 0.05:
        return "Kharkiv"
    loc: dict = {}
    for key, pool in (
        ("name", _TEXTS),
        ("admin1", _TEXTS),
        ("country", ["UA", "RU", "U", "UAX", "", None]),
        ("precision", ["settlement", "exact", "unknown", "street", None]),
        ("pcode", ["UA14", "x" * 21, None]),
        ("geonameid", [706483, None]),
    ):
        if rng.random() < 0.4:
            loc[key] = _maybe(rng, pool)
    if rng.random() < 0.8:
        loc["lat"] = _maybe(rng, _FLOATS)
        if rng.random() < 0.95:
            loc["lon"] = _maybe(rng, _FLOATS)
    if rng.random() < 0.02:
        loc["elevation"] = 100.0
    return loc


def _fields(rng: random.Random) -> dict:
    """Plain fields as a reader builds them, with a hostile value here and there."""
    data: dict = {
        "id": _maybe(rng, [f"id-{rng.randrange(10**6)}"] * 8 + ["", "x" * 200, "x" * 201, "é" * 200, 7]),
        "type": _maybe(
            rng, [t.value for t in IncidentType] + [IncidentType.shelling, "rocket", ClaimStatus.claimed]
        ),
        "date": _maybe(
            rng,
            [date(2026, 1, 5)] * 6
            + [date(1900, 1, 1), date(2199, 12, 31), date(1899, 12, 31), date(2200, 1, 1)]
            + [datetime(2026, 1, 5, 1, 0), "2026-01-05"],
        ),
    }
    optional: list[tuple[str, Callable[[], object]]] = [
        ("date_precision", lambda: _maybe(rng, ["day", "hour", "week", "month", "year", "decade", None])),
        ("time", lambda: _maybe(rng, _TIMES + [None])),
        (
            "status",
            lambda: _maybe(rng, [s.value for s in ClaimStatus] + [ClaimStatus.denied, "rumour", None]),
        ),
        ("location", lambda: _location(rng)),
        (
            "counts",
            lambda: (
                {
                    k: _maybe(rng, _COUNTS)
                    for k in rng.sample(["launched", "intercepted", "hit", "quantity"], 2)
                }
                | ({"area_km2": _maybe(rng, _FLOATS + [1e8, 1.5e8])} if rng.random() < 0.2 else {})
            ),
        ),
        (
            "weapons",
            lambda: _maybe(
                rng, [[], ["152mm howitzer", "MLRS"], ["x"] * 50, ["x"] * 51, ["a", 1], None, "MLRS"]
            ),
        ),
        ("killed", lambda: _maybe(rng, _COUNTS)),
        ("injured", lambda: _maybe(rng, _COUNTS)),
        (
            "acled",
            lambda: _maybe(rng, [{"event_id_cnty": "UKR1", "notes": 'é\n"x"'}, {"fatalities": 3}, None]),
        ),
        ("acled_sub_event_type", lambda: _maybe(rng, ["Shelling/artillery/missile attack", None, 5])),
        ("report_id", lambda: _maybe(rng, [None, "rep-other"])),
        ("colour", lambda: "red"),
    ]
    for name in ("actor", "target", "weapon_class", "claimed_by", "denied_by", "source", "evidence", "note"):
        optional.append((name, lambda: _maybe(rng, _TEXTS + [None, 5])))
    for name, make in optional:
        if rng.random() < (0.02 if name in ("colour", "report_id") else 0.35):
            data[name] = make()
    return data


def _through_model(data: dict) -> tuple | None:
    """What the store wrote before: the validated model's row, or None when pydantic refuses."""
    try:
        return incident_values(Incident.model_validate(data), REPORT)
    except ValidationError:
        return None


def differences(count: int, seed: int = 15) -> tuple[list[str], int]:
    """Generated fields where the quick path and the model disagree, and how many took the quick path."""
    rng = random.Random(seed)
    problems, quick = [], 0
    for _ in range(count):
        data = _fields(rng)
        row = checked_row(data)
        if row is None:
            continue
        quick += 1
        expected = _through_model(data)
        if expected is None:
            problems.append(f"accepted what pydantic refuses: {data!r}")
        elif row.values(REPORT) != expected:
            problems.append(f"rows differ for {data!r}:\n  {row.values(REPORT)}\n  {expected}")
        elif any(type(a) is not type(b) for a, b in zip(row.values(REPORT), expected, strict=True)):
            problems.append(f"column types differ for {data!r}")
    return problems, quick


def test_quick_rows_equal_the_model_rows_on_hostile_fields():
    problems, quick = differences(6000)
    assert problems == []
    assert quick > 1000  # the quick path is taken often (this is not a test of the fallback alone)


def test_common_rows_take_the_quick_path():
    data = {
        "id": "x-1",
        "type": "shelling",
        "date": date(2026, 1, 5),
        "time": _TIMES[0],
        "location": {
            "lat": 48.3,
            "lon": 37.2,
            "name": "Pokrovsk",
            "country": "UA",
            "precision": "settlement",
        },
        "counts": {"launched": 3},
        "weapons": ["MLRS"],
        "killed": 1,
        "note": "Synthetic",
    }
    row = checked_row(data)
    assert isinstance(row, IncidentRow)
    assert row.values(REPORT) == _through_model(data)
    assert json.loads(row.values(REPORT)[-1])["report_id"] == REPORT


def test_columns_are_the_tables():
    assert INCIDENT_COLUMNS == tuple(column.name for column in incidents.columns)


def test_every_model_field_is_known_to_the_quick_check():
    """A new field or constraint on the models must be taught to the quick check (or left to pydantic
    on purpose, here): this fails until someone looks."""
    specs = incident_rows._INCIDENT + incident_rows._LOCATION + incident_rows._COUNTS
    assert {spec.name for spec in specs if spec.kind == "other"} == {"geonameid"}
    assert set(incident_rows._SHAPES[Incident].checks) == set(Incident.model_fields) - {"report_id"}


def _broken(kind: str, variant):  # noqa: ANN001, ANN202
    """A checker whose checks of fields of `kind` are replaced by variant(value)."""

    def checker(spec):  # noqa: ANN001, ANN202
        real = incident_rows._checker(spec)
        return variant if spec.kind == kind and real is not None else real

    return checker


@pytest.mark.parametrize(
    ("name", "checker"),
    [
        (
            "string lengths unchecked",
            _broken("str", lambda v: v if type(v) is str else incident_rows._unsure()),
        ),
        ("dates not range-checked", _broken("date", lambda v: v.isoformat() if type(v) is date else 1 / 0)),
        (
            "times as Python writes them",
            _broken("datetime", lambda v: v.isoformat() if type(v) is datetime else 1 / 0),
        ),
        ("counts unbounded", _broken("int", lambda v: v if type(v) is int else incident_rows._unsure())),
    ],
)
def test_the_comparison_catches_a_broken_quick_path(monkeypatch, name, checker):
    monkeypatch.setattr(incident_rows, "_SHAPES", incident_rows._shapes(checker))
    try:
        problems, _ = differences(3000)
    except ZeroDivisionError:  # a text date or time reached the broken check: broken too
        problems = ["raised"]
    assert problems, name


def test_the_comparison_catches_a_body_serialised_another_way(monkeypatch):
    import orjson

    monkeypatch.setattr(
        incident_rows,
        "orjson",
        type(
            "J", (), {"dumps": staticmethod(lambda value: json.dumps(value, separators=(",", ":")).encode())}
        ),
    )
    assert orjson is not None
    problems, _ = differences(3000)
    assert problems  # json.dumps escapes non-ASCII text, pydantic does not
