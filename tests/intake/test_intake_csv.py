"""CSV in our columns: the happy path with the fixture, and every kind of bad input as one line."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from truce.errors import UserError
from truce.intake import CSV_COLUMNS, read_csv
from truce.model import ClaimStatus, IncidentType, LocationPrecision

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "incidents_sample.csv"
HEADER = ",".join(CSV_COLUMNS)


def test_sample_reads_every_row_and_field():
    found = read_csv(SAMPLE)
    assert [i.id for i in found][:3] == ["om-001", "om-002", "om-003"]
    first = found[0]
    assert first.type is IncidentType.shelling
    assert first.date == date(2026, 1, 5)
    assert first.time == datetime(2026, 1, 5, 3, 40, tzinfo=timezone(timedelta(hours=2)))
    assert (first.location.lon, first.location.lat) == (37.1758, 48.2826)
    assert first.location.precision is LocationPrecision.settlement
    assert first.weapons == ["152 mm howitzer", "MLRS"]
    assert (first.killed, first.injured) == (1, 2)
    assert first.evidence == '"Shelling of Pokrovsk at 03:40, one killed"'
    assert first.note == "Two impacts near the\nrailway station; crater analysis\npending"
    second = found[1]
    assert second.location.name == "Харків"
    assert (second.counts.launched, second.counts.intercepted, second.counts.hit) == (12, 9, 3)
    assert second.status is ClaimStatus.claimed
    assert second.note == '=HYPERLINK("http://evil.example","click")'  # kept as text; exports neutralise it
    # A time without an offset is Kyiv time on the row's date.
    assert second.time == datetime(2026, 1, 5, 3, 15, tzinfo=timezone(timedelta(hours=2)))
    assert found[2].counts.quantity == 2
    assert found[4].location.country == "UA"  # 'ua' in the file


def test_positions_are_physical_lines_despite_multiline_fields():
    found = read_csv(SAMPLE)
    # Row 1 spans lines 2-4 (a quoted note over three lines), so row 2 starts on line 5.
    assert found.positions == [(1, 2), (2, 5), (3, 6), (4, 7), (5, 8)]


def test_missing_id_is_the_file_hash_and_row_number():
    content = SAMPLE.read_bytes()
    expected = f"{hashlib.sha256(content).hexdigest()[:16]}-4"
    assert read_csv(content)[3].id == expected
    assert read_csv(content)[3].id == expected  # stable


def test_bytes_and_paths_read_alike():
    assert read_csv(SAMPLE.read_bytes(), path=str(SAMPLE)) == read_csv(SAMPLE)


def test_semicolon_delimiter_and_byte_order_mark_are_accepted(tmp_path):
    text = "\ufeffid;type;date;lat;lon\nx1;shelling;2026-01-05;48.5;37.5\n"
    (tmp_path / "s.csv").write_text(text, encoding="utf-8")
    [incident] = read_csv(tmp_path / "s.csv")
    assert (incident.id, incident.location.lat) == ("x1", 48.5)


def test_blank_rows_are_skipped(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("type,date\nshelling,2026-01-05\n\n,\nexplosion,2026-01-06\n", encoding="utf-8")
    found = read_csv(path)
    assert [i.type.value for i in found] == ["shelling", "explosion"]
    assert found.positions == [(1, 2), (4, 5)]


def test_header_names_are_case_insensitive(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("Type, DATE\nShelling,2026-01-05\n", encoding="utf-8")
    assert read_csv(path)[0].type is IncidentType.shelling


def _error(tmp_path: Path, content: bytes | str) -> str:
    path = tmp_path / "bad.csv"
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    with pytest.raises(UserError) as caught:
        read_csv(path)
    message = str(caught.value)
    assert "\n" not in message
    return message.replace(str(path), "bad.csv")


TYPES = ", ".join(t.value for t in IncidentType)

BAD_ROWS = [
    ("lat,lon,type,date\nnorth,37,shelling,2026-01-05\n",
     "bad.csv:2: row 1: lat: expected a number between -90 and 90, got 'north'"),
    ("lat,lon,type,date\n48,200,shelling,2026-01-05\n",
     "bad.csv:2: row 1: lon: expected a number between -180 and 180, got '200'"),
    ("lat,lon,type,date\n48,nan,shelling,2026-01-05\n",
     "bad.csv:2: row 1: lon: expected a number between -180 and 180, got 'nan'"),
    ("type,date\nartillery,2026-01-05\n",
     f"bad.csv:2: row 1: type: unknown type 'artillery'; valid values: {TYPES}"),
    ("type,date\n,2026-01-05\n", f"bad.csv:2: row 1: type: required; valid values: {TYPES}"),
    ("type,date\nshelling,05/01/2026\n",
     "bad.csv:2: row 1: date: expected a date in the form YYYY-MM-DD, e.g. 2026-01-05, got '05/01/2026'"),
    ("type,date\nshelling,\n", "bad.csv:2: row 1: date: required, e.g. 2026-01-05"),
    ("type,date,time\nshelling,2026-01-05,dawn\n",
     "bad.csv:2: row 1: time: expected a time such as 2026-01-05T03:40:00+02:00 or 03:40, got 'dawn'"),
    ("type,date,killed\nshelling,2026-01-05,two\n",
     "bad.csv:2: row 1: killed: expected a whole number, got 'two'"),
    ("type,date,launched\nshelling,2026-01-05,-3\n",
     "bad.csv:2: row 1: launched: expected a whole number of 0 or more, got '-3'"),
    ("type,date,country\nshelling,2026-01-05,Ukraine\n",
     "bad.csv:2: row 1: country: expected a two-letter ISO 3166 code such as UA or RU, got 'Ukraine'"),
    ("type,date,status\nshelling,2026-01-05,rumour\n",
     "bad.csv:2: row 1: status: unknown status 'rumour'; valid values: reported, claimed, disputed, "
     "denied, confirmed, fabricated"),
    ("type,date,precision\nshelling,2026-01-05,street\n",
     "bad.csv:2: row 1: precision: unknown precision 'street'; valid values: exact, settlement, raion, "
     "oblast, country, unknown"),
    ("type,date,date_precision\nshelling,2026-01-05,decade\n",
     "bad.csv:2: row 1: date_precision: unknown date_precision 'decade'; valid values: hour, day, week, "
     "month, year"),
    # Checked by the model (pydantic), reported as one line naming our column.
    ("type,date,lat\nshelling,2026-01-05,48\n",
     "bad.csv:2: row 1: lat/lon: lat and lon must be given together"),
    ("type,date,actor\nshelling,2026-01-05," + "R" * 101 + "\n",
     "bad.csv:2: row 1: actor: string should have at most 100 characters, got '" + "R" * 76 + "..."),
    # The bad row's line counts the lines of a multi-line field before it.
    ('type,date,note\nshelling,2026-01-05,"one\ntwo\nthree"\nshelling,2026-01-05,ok\nshelling,someday,x\n',
     "bad.csv:6: row 3: date: expected a date in the form YYYY-MM-DD, e.g. 2026-01-05, got 'someday'"),
]


@pytest.mark.parametrize(("content", "message"), BAD_ROWS)
def test_bad_field_is_one_line_with_path_and_line(tmp_path, content, message):
    assert _error(tmp_path, content) == message


BAD_FILES = [
    (b"", "bad.csv: the file is empty"),
    (b"  \n\n", "bad.csv: the file is empty"),
    (HEADER.encode() + b"\n", "bad.csv:2: no data rows: the file has a header but no incidents"),
    (b"type,date,location_name\nshelling,2026-01-05,Kharkiv\nshelling,2026-01-05,Dnipro "
     + "Łódź".encode("cp1250"),
     "bad.csv:3: the file is not UTF-8 text (byte 0xa3 at offset 79); save or export it as UTF-8 and "
     "try again"),
    ("type,date,note\nshelling,2026-01-05,\"never closed\nshelling,2026-01-05,x\n",
     "bad.csv:2: row 1: a quoted field opened on this line is never closed (a '\"' is missing)"),
    ('type,date,note\nshelling,2026-01-05,"quoted"trailing\n',
     "bad.csv:2: row 1: malformed CSV: ',' expected after '\"'"),
    ("type,date\nshelling,2026-01-05,extra\n", "bad.csv:2: row 1: has 3 fields but the header has 2"),
    ("type,date,note\nshelling,2026-01-05,\"" + "x" * 200_000 + "\"\n",
     "bad.csv:2: row 1: a field is longer than 131072 characters (the limit for one cell)"),
    ("type,note\nshelling,x\n",
     "bad.csv:1: missing required column 'date'; the header has: type, note"),
    ("type,date,latitude\nshelling,2026-01-05,48\n",
     f"bad.csv:1: unknown column 'latitude'; our columns are: {', '.join(CSV_COLUMNS)} (to read another "
     "layout, map its columns with --map our_field=their_column or a mapping file; see docs/intake.md)"),
    ("type,date,Type\nshelling,2026-01-05,x\n", "bad.csv:1: column 'Type' appears twice in the header"),
]


@pytest.mark.parametrize(("content", "message"), BAD_FILES)
def test_bad_file_is_one_line_with_path_and_line(tmp_path, content, message):
    assert _error(tmp_path, content) == message


def test_note_longer_than_the_model_allows(tmp_path):
    message = _error(tmp_path, "type,date,note\nshelling,2026-01-05," + "n" * 5001 + "\n")
    assert message.startswith("bad.csv:2: row 1: note: string should have at most 5000 characters, got 'nnn")


def test_unreadable_path_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="cannot read the file"):
        read_csv(tmp_path / "missing.csv")


# --- dates: windows, formats, days that do not exist --------------------------------------------


def test_a_date_window_becomes_the_narrowest_span_that_covers_it(tmp_path):
    path = tmp_path / "ged.csv"
    path.write_text(
        "id,type,date_start,date_end,lat,lon\n"
        "g1,shelling,2026-01-05,2026-01-05,48.0,37.8\n"
        "g2,shelling,2026-01-03,2026-01-09,48.0,37.8\n"
        "g3,armed_clash,2026-01-01,2026-01-31,48.0,37.8\n"
        "g4,armed_clash,2026-01-01,2026-06-30,48.0,37.8\n"
        "g5,armed_clash,2026-01-07,,48.0,37.8\n",
        encoding="utf-8",
    )
    found = {i.id: i for i in read_csv(path)}
    ids = ("g1", "g2", "g3", "g4", "g5")
    assert [(found[k].date.isoformat(), found[k].date_precision) for k in ids] == [
        ("2026-01-05", "day"), ("2026-01-06", "week"), ("2026-01-16", "month"), ("2026-04-01", "year"),
        ("2026-01-07", "day"),
    ]
    for incident, (first, last) in ((found["g2"], ("2026-01-03", "2026-01-09")),
                                    (found["g3"], ("2026-01-01", "2026-01-31"))):
        start, end = incident.interval()
        assert start.date().isoformat() <= first and (end.date() - timedelta(days=1)).isoformat() >= last


@pytest.mark.parametrize(("row", "message"), [
    ("x,shelling,2026-01-09,2026-01-03", "row 1: date_end: 2026-01-03 is before date_start 2026-01-09"),
    ("x,shelling,2024-01-01,2026-01-01", "row 1: date_end: a window of 732 days is longer than a year"),
    ("x,shelling,2024-02-30,2024-03-01",
     "row 1: date_start: '2024-02-30' is in the right form, but there is no such day"),
])
def test_bad_date_windows_are_one_line(tmp_path, row, message):
    path = tmp_path / "ged.csv"
    path.write_text(f"id,type,date_start,date_end\n{row}\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        read_csv(path)
    assert str(caught.value) == f"{path}:2: {message}"


def test_an_impossible_date_says_there_is_no_such_day(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,type,date\nx,shelling,2024-02-30\n", encoding="utf-8")
    with pytest.raises(UserError, match="'2024-02-30' is in the right form, but there is no such day"):
        read_csv(bad)
    bad.write_text("id,type,date\nx,shelling,2024-13-01\n", encoding="utf-8")  # no 13th month either
    with pytest.raises(UserError, match="no such day"):
        read_csv(bad)
    bad.write_text("id,type,date\nx,shelling,5 Jan 2026\n", encoding="utf-8")  # the wrong form
    with pytest.raises(UserError, match="expected a date in the form YYYY-MM-DD"):
        read_csv(bad)


def test_date_format_on_the_command_line(tmp_path, cli):
    path = tmp_path / "dmy.csv"
    path.write_text("id,type,date\nd1,shelling,05/01/2026\nd2,shelling,30/01/2026\n", encoding="utf-8")
    cli("init")
    status, out, err = cli("ingest", str(path), "--date-format", "%d/%m/%Y", "--json")
    assert status == 0, err
    assert json.loads(out)[0]["incidents"] == 2
    path.write_text("id,type,date\nd3,shelling,30/02/2026\n", encoding="utf-8")
    status, _, err = cli("ingest", str(path), "--date-format", "%d/%m/%Y")
    assert status == 2
    expected = f"{path}:2: row 1: date: '30/02/2026' is in the right form, but there is no such day"
    assert err.strip() == expected
    status, _, err = cli("ingest", str(path), "--date-format", "dd/mm/yyyy")
    assert status == 2 and "--date-format: expected a strftime pattern" in err
