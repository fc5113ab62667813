"""ACLED CSV: reading a realistic export, the mapping tables, bad rows, and the round trip through
the store and back out as ACLED."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest

from truce.errors import UserError
from truce.intake import ACLED_COLUMNS, ingest_file, read_acled, read_csv
from truce.intake.acled import GEO_PRECISION, TIME_PRECISION, acled_party
from truce.model import IncidentType, LocationPrecision
from truce.publish.exports import export_acled
from truce.store.records import iter_incidents

SAMPLE = Path(__file__).parent / "data" / "acled_ukraine_sample.csv"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as source:
        return list(csv.DictReader(source))


def test_fixture_has_acleds_31_columns_in_order():
    with SAMPLE.open(newline="", encoding="utf-8") as source:
        assert tuple(next(csv.reader(source))) == ACLED_COLUMNS
    assert len(ACLED_COLUMNS) == 31


def test_sample_maps_onto_incidents():
    found = read_acled(SAMPLE)
    assert len(found) == 30  # every row, protests and strategic developments too
    assert found.skipped == {}
    by_id = {i.id: i for i in found}
    assert by_id["acled-UKR230121"].type is IncidentType.protest
    assert by_id["acled-UKR230122"].type is IncidentType.looting  # apartments seized
    nikopol = by_id["acled-UKR230101"]
    assert nikopol.type is IncidentType.shelling
    assert nikopol.acled_sub_event_type == "Shelling/artillery/missile attack"
    assert nikopol.date == date(2026, 1, 2)
    assert (nikopol.location.lat, nikopol.location.lon) == (47.5671, 34.3961)
    assert nikopol.location.country == "UA" and nikopol.location.admin1 == "Dnipropetrovsk"
    assert nikopol.actor == "RU" and nikopol.target == "civilian" and nikopol.killed == 1
    assert nikopol.note.startswith("On 2 January 2026, Russian forces shelled Nikopol (Nikopolskyi, "
                                   "Dnipropetrovsk)")
    assert nikopol.acled["event_id_cnty"] == "UKR230101" and nikopol.acled["admin3"] == "Nikopolska"
    # Notes refine ACLED's lumped sub-event types.
    assert by_id["acled-UKR230102"].type is IncidentType.missile_strike
    assert by_id["acled-UKR230103"].type is IncidentType.drone_strike
    assert by_id["acled-UKR230107"].type is IncidentType.air_strike  # guided bombs
    # An interception is attributed to the side whose weapons were intercepted (ACLED's actor2).
    interception = by_id["acled-UKR230104"]
    assert interception.type is IncidentType.interception and interception.actor == "RU"
    assert by_id["acled-UKR230105"].actor == "UA"
    assert by_id["acled-UKR230110"].actor == "Unidentified Armed Group (Ukraine)"
    assert by_id["acled-UKR230110"].location.precision is LocationPrecision.raion  # geo_precision 2
    assert by_id["acled-UKR230112"].date_precision == "week"  # time_precision 2
    assert by_id["acled-UKR230112"].location.name == "Костянтинівка"
    assert by_id["acled-UKR230120"].date_precision == "month"
    assert by_id["acled-UKR230120"].location.precision is LocationPrecision.oblast
    assert by_id["acled-UKR230127"].acled["admin3"] == "Ukrainska"
    assert by_id["acled-UKR230103"].acled["admin3"] == ""  # Kyiv City has none
    russia = by_id["acled-RUS61201"]
    assert russia.location.country == "RU" and russia.actor == "UA"


def test_mapping_tables():
    assert acled_party("Military Forces of Russia (2000-)") == "RU"
    assert acled_party("Military Forces of Ukraine (2019-)") == "UA"
    assert acled_party("Wagner Group") is None
    assert TIME_PRECISION == {"1": "day", "2": "week", "3": "month"}
    assert GEO_PRECISION == {"1": "settlement", "2": "raion", "3": "oblast"}


def test_round_trip_through_the_store_gives_the_same_events(tmp_path, workspace):
    result = ingest_file(workspace, SAMPLE, "acled")
    assert (result.new, result.incidents, result.skipped) == (True, 30, {})
    with workspace.engine.connect() as conn:
        stored = list(iter_incidents(conn))
    out = tmp_path / "export.csv"
    assert export_acled(stored, out) == 30

    original = {row["event_id_cnty"]: row for row in _rows(SAMPLE)}
    exported = _rows(out)
    assert tuple(exported[0]) == ACLED_COLUMNS
    assert sorted(row["event_id_cnty"] for row in exported) == sorted(original)
    for row in exported:
        source = original[row["event_id_cnty"]]
        for column in ("event_date", "event_type", "sub_event_type", "latitude", "longitude"):
            assert row[column] == source[column], (row["event_id_cnty"], column)
        assert row == source  # every column we kept comes back verbatim

    again = read_acled(out)
    assert [(i.id, i.type, i.date, i.location.lat, i.location.lon) for i in again] == [
        (i.id, i.type, i.date, i.location.lat, i.location.lon) for i in stored]


def test_our_incidents_export_as_acled_and_read_back(tmp_path):
    ours = read_csv(Path(__file__).parent / "data" / "incidents_sample.csv")
    out = tmp_path / "ours.csv"
    export_acled(ours, out)
    first = _rows(out)[0]
    assert first["event_id_cnty"] == "om-001"
    assert (first["event_date"], first["year"], first["time_precision"]) == ("2026-01-05", "2026", "1")
    assert (first["event_type"], first["sub_event_type"]) == ("Explosions/Remote violence",
                                                              "Shelling/artillery/missile attack")
    assert first["actor1"] == "Military Forces of Russia (2000-)"
    assert (first["actor2"], first["civilian_targeting"]) == ("Civilians (Ukraine)", "Civilian targeting")
    assert (first["iso"], first["region"], first["country"], first["admin1"]) == ("804", "Europe", "Ukraine",
                                                                                 "Donetsk")
    assert (first["latitude"], first["longitude"], first["geo_precision"]) == ("48.2826", "37.1758", "1")
    assert first["fatalities"] == "1"
    back = read_acled(out)
    assert back.skipped == {}
    # weapon sightings and monitor restrictions are ACLED's "Other": strategic developments there
    assert [i.type for i in back if i.acled_sub_event_type == "Other"] == [
        IncidentType.strategic_development] * 2
    assert back[0].type is IncidentType.shelling and back[0].date == date(2026, 1, 5)
    assert next(r for r in _rows(out) if r["event_id_cnty"] == "om-002")["notes"].startswith("'=HYPERLINK(")


def test_iso_dates_are_read_too(tmp_path):
    path = tmp_path / "api.csv"
    text = SAMPLE.read_text(encoding="utf-8").replace("02 January 2026", "2026-01-02")
    path.write_text(text, encoding="utf-8")
    assert read_acled(path)[0].date == date(2026, 1, 2)


def _error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "acled.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        read_acled(path)
    return str(caught.value).replace(str(path), "acled.csv")


def _with_first_row(column: str, value: str) -> str:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    row = next(csv.DictReader(lines[:2]))
    row[column] = value
    return lines[0] + ",".join(f'"{row[c]}"' for c in ACLED_COLUMNS) + "\n"


@pytest.mark.parametrize(("column", "value", "message"), [
    ("latitude", "47,5671",
     "acled.csv:2: row 1: latitude: expected a number between -90 and 90, got '47,5671'"),
    ("longitude", "", "acled.csv:2: row 1: longitude: expected a number between -180 and 180, got ''"),
    ("event_date", "2/1/26",
     "acled.csv:2: row 1: event_date: expected a date like 2026-01-05 or 05 January 2026, got '2/1/26'"),
    ("time_precision", "4", "acled.csv:2: row 1: time_precision: expected 1, 2, 3 (or empty), got '4'"),
    ("geo_precision", "x", "acled.csv:2: row 1: geo_precision: expected 1, 2, 3 (or empty), got 'x'"),
    ("fatalities", "some",
     "acled.csv:2: row 1: fatalities: expected a whole number of 0 or more, got 'some'"),
    ("event_id_cnty", "", "acled.csv:2: row 1: event_id_cnty: required (ACLED's event id, e.g. UKR12345)"),
])
def test_bad_acled_field_is_one_line(tmp_path, column, value, message):
    assert _error(tmp_path, _with_first_row(column, value)) == message


def test_bad_acled_files(tmp_path):
    header = ",".join(ACLED_COLUMNS) + "\n"
    assert _error(tmp_path, header) == "acled.csv:2: no data rows: the file has a header but no events"
    assert _error(tmp_path, header.replace("latitude", "lat")) == (
        "acled.csv:1: missing ACLED column 'latitude'; is this an ACLED export? (for other CSVs use "
        "--format csv, with a mapping if needed)")
    assert _error(tmp_path, "") == "acled.csv: the file is empty"


# One row of each sub-event type of ACLED's codebook, on the first sample row's other columns.
CODEBOOK_ROWS = [
    ("Battles", "Armed clash", "armed_clash"),
    ("Battles", "Government regains territory", "territorial_claim"),
    ("Battles", "Non-state actor overtakes territory", "territorial_claim"),
    ("Explosions/Remote violence", "Chemical weapon", "explosion"),
    ("Explosions/Remote violence", "Air/drone strike", "air_strike"),
    ("Explosions/Remote violence", "Suicide bomb", "explosion"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack", "shelling"),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED", "mine_ied"),
    ("Explosions/Remote violence", "Grenade", "explosion"),
    ("Violence against civilians", "Sexual violence", "sexual_violence"),
    ("Violence against civilians", "Attack", "attack_on_civilians"),
    ("Violence against civilians", "Abduction/forced disappearance", "abduction"),
    ("Protests", "Peaceful protest", "protest"),
    ("Protests", "Protest with intervention", "protest"),
    ("Protests", "Excessive force against protesters", "protest"),
    ("Riots", "Violent demonstration", "riot"),
    ("Riots", "Mob violence", "riot"),
    ("Strategic developments", "Agreement", "strategic_development"),
    ("Strategic developments", "Arrests", "arrest"),
    ("Strategic developments", "Change to group/activity", "strategic_development"),
    ("Strategic developments", "Disrupted weapons use", "interception"),
    ("Strategic developments", "Headquarters or base established", "strategic_development"),
    ("Strategic developments", "Looting/property destruction", "property_destruction"),
    ("Strategic developments", "Non-violent transfer of territory", "territory_transfer"),
    ("Strategic developments", "Other", "strategic_development"),
]


def _codebook_file(tmp_path: Path) -> Path:
    template = _rows(SAMPLE)[0]
    template["notes"] = "An event in the codebook test."
    path = tmp_path / "codebook.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, ACLED_COLUMNS)
        writer.writeheader()
        for number, (event_type, sub_event, _) in enumerate(CODEBOOK_ROWS):
            writer.writerow({**template, "event_id_cnty": f"CB{number}", "event_type": event_type,
                             "sub_event_type": sub_event})
    return path


def test_every_codebook_sub_event_type_is_kept_and_given_back(tmp_path, workspace):
    path = _codebook_file(tmp_path)
    found = read_acled(path)
    assert found.skipped == {}
    assert [(i.acled_sub_event_type, i.type.value) for i in found] == [(s, t) for _, s, t in CODEBOOK_ROWS]
    ingest_file(workspace, path, "acled")
    with workspace.engine.connect() as conn:
        stored = list(iter_incidents(conn))
    out = tmp_path / "back.csv"
    assert export_acled(stored, out) == len(CODEBOOK_ROWS)
    assert sorted(map(tuple, (r.values() for r in _rows(out)))) == sorted(
        map(tuple, (r.values() for r in _rows(path))))


def test_an_unknown_sub_event_type_is_skipped_counted_and_said(tmp_path, cli):
    path = tmp_path / "odd.csv"
    path.write_text(SAMPLE.read_text(encoding="utf-8").replace(",Peaceful protest,", ",Picnic,"),
                    encoding="utf-8")
    found = read_acled(path)
    assert len(found) == 29 and found.skipped == {"Picnic": 1}
    cli("init")
    status, out, _ = cli("ingest", "--format", "acled", str(path))
    assert status == 0
    assert "29 incidents; skipped 1 records that are not incidents (Picnic: 1)" in " ".join(out.split())
