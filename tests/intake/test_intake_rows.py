"""Ingest's quick rows against the old path, row for row: every format, on SQLite and PostgreSQL, with
a CSV full of awkward but valid cells. The old path is the reader's validated incidents written
through the model (incident_values); the new one is what ingest_file stored."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from truce.intake import CSV_COLUMNS, ingest_file, read_file
from truce.store import incident_rows
from truce.store.incident_rows import incident_values
from truce.store.schema import incidents

DATA = Path(__file__).parent / "data"

_AWKWARD = [
    {
        "type": "shelling",
        "date": "2026-01-05",
        "time": "2026-01-05T03:40:00Z",
        "lat": "48.2826",
        "lon": "37.1758",
        "location_name": 'Pokrovsk "north"',
        "country": "ua",
        "precision": "Settlement",
        "note": "line\nbreak, comma",
    },
    {
        "id": "",
        "type": "DRONE_STRIKE",
        "date": "2026-01-06",
        "time": "03:40",
        "lat": "-0.0",
        "lon": "1e-7",
        "actor": "RU",
        "weapons": "Shahed; Geran ;",
        "launched": "12",
        "intercepted": "10.0",
        "hit": "2",
    },
    {"type": "missile_strike", "date": "2026-03-29", "time": "03:30", "note": "in Kyiv's spring-forward gap"},
    {
        "type": "armed_clash",
        "date": "2026-01-07",
        "date_precision": "hour",
        "time": "2026-01-07T10:59:59.5+05:30",
        "note": "é" * 5000,
        "source": "x" * 300,
        "claimed_by": "Покровськ 🚀 \u2028",
        "status": "CLAIMED",
    },
    {
        "type": "shelling",
        "date": "2026-01-08",
        "date_precision": "month",
        "killed": "0",
        "injured": "1000000000",
        "admin1": "\x01\x1f control",
        "evidence": "\\ back \\ slash",
        "target": "civilian",
    },
    {"type": "weapon_sighting", "date": "1900-01-01", "quantity": "3", "weapon_class": "artillery_ge_100mm"},
    {"type": "shelling", "date": "2199-12-31", "time": "2199-12-31T23:00:00-03:00:30"},
]


def _awkward_csv(path: Path, windows: bool = False) -> None:
    columns = list(CSV_COLUMNS) + (["date_start", "date_end"] if windows else [])
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for n, cells in enumerate(_AWKWARD * 3):
            row = {"id": f"awk-{n}", **cells}
            if windows and n % 2:
                row.pop("date")
                row["date_start"], row["date_end"] = "2026-01-01", f"2026-01-{2 + n:02d}"
            writer.writerow([row.get(c, "") for c in columns])


def _stored(workspace) -> list[tuple]:
    with workspace.engine.connect() as conn:
        return [tuple(row) for row in conn.execute(select(incidents).order_by(incidents.c.id))]


def _expected(path: Path, fmt: str, report_id: str) -> list[tuple]:
    return sorted((incident_values(i, report_id) for i in read_file(path, fmt)), key=lambda row: row[0])


def _same(stored: list[tuple], expected: list[tuple]) -> bool:
    """Equal, and of the same types (a date stays a date, a float a float)."""
    return stored == expected and all(
        type(a) is type(b) for s, e in zip(stored, expected, strict=True) for a, b in zip(s, e, strict=True)
    )


def _inputs(tmp_path: Path) -> list[tuple[str, Path]]:
    _awkward_csv(tmp_path / "awkward.csv")
    _awkward_csv(tmp_path / "windows.csv", windows=True)
    return [
        ("csv", tmp_path / "awkward.csv"),
        ("csv", tmp_path / "windows.csv"),
        ("csv", DATA / "incidents_sample.csv"),
        ("acled", DATA / "acled_ukraine_sample.csv"),
        ("jsonl", DATA / "incidents_sample.jsonl"),
        ("geojson", DATA / "incidents_sample.geojson"),
    ]


@pytest.mark.both_stores
@pytest.mark.parametrize("which", range(6))
def test_ingest_stores_the_rows_the_model_path_stored(workspace, tmp_path, which):
    fmt, path = _inputs(tmp_path)[which]
    result = ingest_file(workspace, path, fmt)
    stored = _stored(workspace)
    assert len(stored) == result.incidents > 0
    assert _same(stored, _expected(path, fmt, result.report_id))


def test_the_comparison_catches_a_broken_quick_row(workspace, tmp_path, monkeypatch):
    """Times written as Python writes them ("+00:00" for UTC) instead of as pydantic does ("Z")."""

    def checker(spec):  # noqa: ANN001, ANN202
        if spec.kind == "datetime":
            return lambda value: value.isoformat()
        return incident_rows._checker(spec)

    monkeypatch.setattr(incident_rows, "_SHAPES", incident_rows._shapes(checker))
    fmt, path = _inputs(tmp_path)[0]
    result = ingest_file(workspace, path, fmt)
    assert not _same(_stored(workspace), _expected(path, fmt, result.report_id))


def test_awkward_cells_are_what_the_reader_made_of_them(tmp_path):
    """The fixture really is awkward: the cells above reach the store as these values."""
    _awkward_csv(tmp_path / "awkward.csv")
    found = {i.id: i for i in read_file(tmp_path / "awkward.csv", "csv")}
    assert found["awk-0"].time.utcoffset().total_seconds() == 0
    unnamed = [i for i in found.values() if not i.id.startswith("awk-")]
    assert len(unnamed) == 3 and unnamed[0].id.endswith("-2") and unnamed[0].location.lat == 0.0
    assert found["awk-5"].date == date(1900, 1, 1)
