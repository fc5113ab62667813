"""Another team's spreadsheet, loaded without editing it: mappings from --map options and from files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from truce.errors import UserError
from truce.intake import Mapping, load_mapping, mapping_from_options, read_csv, read_geojson
from truce.model import IncidentType

DATA = Path(__file__).parent / "data"
SHEET = DATA / "osint_team_sheet.csv"
MAPPING = DATA / "osint_team_mapping.yaml"


def test_mapping_file_loads_the_team_sheet():
    found = read_csv(SHEET, mapping=load_mapping(MAPPING))
    assert [i.id for i in found] == ["A-17", "A-18", "A-19", "A-20"]
    first = found[0]
    assert first.type is IncidentType.shelling  # their "Artillery"
    assert first.date == date(2026, 1, 3)  # their 03/01/2026, day first
    assert (first.location.lon, first.location.lat) == (37.5283, 48.6203)
    assert first.location.country == "UA"  # a default: the sheet has no country column
    assert first.location.precision.value == "settlement"
    assert first.actor == "RU"  # their "Russia"
    assert first.killed == 1
    assert first.note == "MLRS, 4 buildings damaged"
    assert found[2].actor == "RU"  # "russia": values match regardless of case
    assert found[3].actor is None and found[3].killed is None  # empty cells stay empty


def test_options_alone_map_columns(tmp_path):
    path = tmp_path / "theirs.csv"
    path.write_text("Kind,When,Y,X\nshelling,2026-01-05,48.1,37.2\n", encoding="utf-8")
    mapping = mapping_from_options(["type=Kind", "date=When", "lat=Y", "lon=X"])
    [incident] = read_csv(path, mapping=mapping)
    assert (incident.type, incident.date, incident.location.lat, incident.location.lon) == (
        IncidentType.shelling, date(2026, 1, 5), 48.1, 37.2)


def test_options_override_the_mapping_file(tmp_path):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(SHEET.read_text(encoding="utf-8").replace("Comments", "Remarks"), encoding="utf-8")
    mapping = mapping_from_options(["note=Remarks"], base=load_mapping(MAPPING))
    assert mapping.columns["date"] == "Date of event"
    assert read_csv(sheet, mapping=mapping)[0].note == "MLRS, 4 buildings damaged"


def test_unmapped_columns_are_ignored_and_same_named_ones_used(tmp_path):
    path = tmp_path / "theirs.csv"
    path.write_text("type,When,analyst,lat,lon\nshelling,2026-01-05,olena,48,37\n", encoding="utf-8")
    [incident] = read_csv(path, mapping=mapping_from_options(["date=When"]))
    assert incident.location.lat == 48.0


def test_json_mapping_file_and_timezone(tmp_path):
    (tmp_path / "m.json").write_text('{"columns": {"date": "Day", "time": "Clock"}, "timezone": "UTC"}',
                                     encoding="utf-8")
    path = tmp_path / "theirs.csv"
    path.write_text("type,Day,Clock\nexplosion,2026-01-05,22:10\n", encoding="utf-8")
    [incident] = read_csv(path, mapping=load_mapping(tmp_path / "m.json"))
    assert incident.time.isoformat() == "2026-01-05T22:10:00+00:00"


def test_errors_name_their_column(tmp_path):
    path = tmp_path / "theirs.csv"
    path.write_text("Kind,When,Y,X\nshelling,2026-01-05,north,37.2\n", encoding="utf-8")
    mapping = mapping_from_options(["type=Kind", "date=When", "lat=Y", "lon=X"])
    with pytest.raises(UserError) as caught:
        read_csv(path, mapping=mapping)
    assert str(caught.value) == (f"{path}:2: row 1: lat (column 'Y'): expected a number between -90 and 90, "
                                 "got 'north'")


def test_unknown_value_without_a_translation(tmp_path):
    path = tmp_path / "sheet.csv"
    path.write_text(SHEET.read_text(encoding="utf-8").replace("Missile", "Sabotage"), encoding="utf-8")
    with pytest.raises(UserError) as caught:
        read_csv(path, mapping=load_mapping(MAPPING))
    assert str(caught.value).startswith(f"{path}:4: row 3: type (column 'Category'): unknown type "
                                        "'Sabotage'; valid values: shelling, missile_strike,")


def test_mapped_column_missing_from_the_file(tmp_path):
    path = tmp_path / "theirs.csv"
    path.write_text("Kind,When\nshelling,2026-01-05\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        read_csv(path, mapping=mapping_from_options(["type=Kind", "date=Date"]))
    assert str(caught.value) == (f"{path}:1: the mapping (--map) names column 'Date' for date, but the file "
                                 "has no such column; its columns are: Kind, When")


def test_required_column_unmapped(tmp_path):
    path = tmp_path / "theirs.csv"
    path.write_text("Kind,When\nshelling,2026-01-05\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        read_csv(path, mapping=mapping_from_options(["type=Kind"]))
    assert str(caught.value) == (f"{path}:1: missing required column 'date' (map it with --map "
                                 "date=<their column>); the header has: Kind, When")


def test_mapping_applies_to_geojson_properties(tmp_path):
    path = tmp_path / "theirs.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", '
                    '"geometry": {"type": "Point", "coordinates": [37.2, 48.1]}, '
                    '"properties": {"Kind": "Artillery", "When": "05/01/2026", "fid": 7}}]}',
                    encoding="utf-8")
    mapping = Mapping(columns={"type": "Kind", "date": "When"}, values={"type": {"artillery": "shelling"}},
                      date_format="%d/%m/%Y")
    [incident] = read_geojson(path, mapping=mapping)
    assert (incident.type, incident.date) == (IncidentType.shelling, date(2026, 1, 5))
    assert incident.location.lon == 37.2


@pytest.mark.parametrize(("text", "message"), [
    ("columns:\n  date: Day\n  latitude: Y\n",
     "m.yaml:3: columns: unknown field 'latitude'; our fields are: id, type, date,"),
    ("columns: {date: Day}\nformat: xlsx\n",
     "m.yaml:2: unknown key 'format'; expected some of: columns, values, defaults, date_format, timezone, "
     "delimiter"),
    ("columns: [date, Day]\n", "m.yaml:1: columns: expected a table of field: value"),
    ("columns:\n  date: Day\ndate_format: dd/mm/yyyy\n",
     "m.yaml:3: date_format: expected a strftime pattern such as '%d/%m/%Y', got 'dd/mm/yyyy'"),
    ("timezone: Mars/Olympus\n",
     "m.yaml:1: timezone: unknown time zone 'Mars/Olympus', e.g. Europe/Kyiv or UTC"),
    ("columns: {date: Day\n", "m.yaml:1: not valid YAML: did not find expected ',' or '}'"),
    ("- date\n", "m.yaml:1: expected a mapping with 'columns', 'values', 'defaults', 'date_format'"),
    ("values:\n  type: Artillery\n", "m.yaml:2: values: type: expected a table of their value: our value"),
])
def test_bad_mapping_file(tmp_path, text, message):
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_mapping(path)
    assert str(caught.value).replace(str(path), "m.yaml").startswith(message)


@pytest.mark.parametrize(("options", "message"), [
    (["date"], "--map: expected our_field=their_column, got 'date'"),
    (["=Day"], "--map: expected our_field=their_column, got '=Day'"),
    (["when=Day"], "--map: when=Day: unknown field 'when'; our fields are: id, type, date,"),
])
def test_bad_map_option(options, message):
    with pytest.raises(UserError) as caught:
        mapping_from_options(options)
    assert str(caught.value).startswith(message)


def test_a_mapping_file_is_read_by_the_one_yaml_reader_with_lines(tmp_path):
    """Mappings, terms files and declarations share truce.located_yaml: a key given twice is an
    error on its line (PyYAML alone would keep the last silently), and `no` stays text."""
    twice = tmp_path / "twice.yaml"
    twice.write_text("columns:\n  date: Date\n  date: When\n")
    with pytest.raises(UserError) as caught:
        load_mapping(twice)
    assert caught.value.line == 3
    assert str(caught.value).endswith("the key 'date' is given twice in this mapping")
    plain = tmp_path / "plain.yaml"
    plain.write_text("columns:\n  date: Date\nvalues:\n  actor: {no: NO, yes: UA}\n")
    assert load_mapping(plain).values["actor"] == {"no": "NO", "yes": "UA"}
