"""Reading FIRMS files: the three layouts NASA distributes, real lines, and bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from truce.errors import UserError
from truce.sensors.firms import read_firms

DATA = Path(__file__).parent / "data"

# The first two real detections of the bundled file, as NASA's own NRT CSV writes them (HHMM time
# without leading zeros, one-letter confidence, no instrument column).
NASA_VIIRS = (
    "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,confidence,version,bright_ti5,frp,daynight\n"
    "48.53733,37.68978,300.98,0.5,0.66,2025-12-02,2229,N20,n,2.0NRT,271.47,0.95,N\n"
    "48.30781,37.27995,367,0.39,0.6,2025-12-07,34,N20,h,2.0NRT,273.63,6.74,N\n"
)
# MODIS in NASA's layout (C6.1 NRT): 0–100 confidence, Terra/Aqua.
NASA_MODIS = (
    "latitude,longitude,brightness,scan,track,acq_date,acq_time,satellite,confidence,version,bright_t31,frp,daynight\n"
    "47.8512,37.5431,318.4,1.1,1.05,2022-03-14,0846,Terra,71,6.1NRT,281.9,22.6,D\n"
)


def test_reads_the_economist_clipped_viirs_lines():
    found = read_firms((DATA / "viirs_economist.csv").read_bytes(), path="v.csv")
    assert len(found) == 5
    first = found[0]
    assert (first.lat, first.lon, first.date, first.time) == (
        48.53733,
        37.68978,
        dt.date(2025, 12, 2),
        "22:29",
    )
    assert (first.instrument, first.satellite, first.platform) == ("VIIRS", "N20", "NOAA-20")
    assert (first.confidence, first.frp, first.scan_km, first.track_km, first.daynight) == (
        "nominal",
        0.95,
        0.5,
        0.66,
        "N",
    )
    assert [d.confidence for d in found] == ["nominal", "nominal", "high", "low", "nominal"]
    assert found[4].platform == "NOAA-21" and found[4].line == 6


def test_nasa_layout_gives_the_same_detection_and_id():
    nasa = read_firms(NASA_VIIRS.encode(), path="nasa.csv")
    economist = read_firms((DATA / "viirs_economist.csv").read_bytes(), path="v.csv")
    assert nasa[0] == economist[0].__class__(**{**economist[0].__dict__, "line": 2})
    assert nasa[0].id == economist[0].id  # the same pixel from two files is one observation
    assert nasa[1].time == "00:34" and nasa[1].id == economist[2].id


def test_reads_modis():
    (found,) = read_firms(NASA_MODIS.encode(), path="m.csv")
    assert (found.instrument, found.platform, found.confidence, found.time) == (
        "MODIS",
        "Terra",
        "71",
        "08:46",
    )


def test_reads_the_archive_form():
    found = read_firms((DATA / "archive_2021.csv").read_bytes(), path="a.csv")
    assert [(d.lat, d.lon, d.date) for d in found][:2] == [
        (49.309826, 23.429745, dt.date(2021, 1, 1)),
        (47.092819, 37.590485, dt.date(2021, 1, 1)),
    ]
    assert {(d.instrument, d.time, d.satellite, d.frp) for d in found} == {("unknown", None, None, None)}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "91,37.6,300,0.5,0.6,2025-12-02,2229,N20,n,2.0NRT,271,0.9,N",
            "f.csv:3: latitude: expected a number between -90 and 90",
        ),
        (
            "48.5,east,300,0.5,0.6,2025-12-02,2229,N20,n,2.0NRT,271,0.9,N",
            "f.csv:3: longitude: expected a number, got 'east'",
        ),
        (
            "48.5,37.6,300,0.5,0.6,2025-13-02,2229,N20,n,2.0NRT,271,0.9,N",
            "f.csv:3: acq_date: expected a date YYYY-MM-DD, got '2025-13-02'",
        ),
        (
            "48.5,37.6,300,0.5,0.6,2025-12-02,2561,N20,n,2.0NRT,271,0.9,N",
            "f.csv:3: acq_time: expected a UTC time",
        ),
        (
            "48.5,37.6,300,0.5,0.6,2025-12-02,2229,N20,sure,2.0NRT,271,0.9,N",
            "f.csv:3: confidence: expected l, n or h",
        ),
        (
            "48.5,37.6,300,0.5,0.6,2025-12-02,2229,N20,n,2.0NRT,271,-3,N",
            "f.csv:3: frp: expected a number between 0",
        ),
        (
            "48.5,37.6,300,0.5,0.6,2025-12-02,2229,N20,n,2.0NRT,271,0.9",
            "f.csv:3: row 2: has 12 fields but the header has 13",
        ),
        (",37.6,300,0.5,0.6,2025-12-02,2229,N20,n,2.0NRT,271,0.9,N", "f.csv:3: latitude: is empty"),
    ],
)
def test_bad_rows_are_named_by_line_and_field(row, message):
    with pytest.raises(UserError) as error:
        read_firms(
            (NASA_VIIRS.splitlines()[0] + "\n" + NASA_VIIRS.splitlines()[1] + "\n" + row + "\n").encode(),
            path="f.csv",
        )
    assert str(error.value).startswith(message)


def test_not_a_firms_file():
    with pytest.raises(UserError, match=r"^x.csv:1: not a FIRMS file: no column acq_date"):
        read_firms(b"latitude,longitude,date\n1,2,2020-01-01\n", path="x.csv")


def test_instrument_column_must_match_the_layout():
    text = "latitude,longitude,bright_ti4,acq_date,instrument\n48.5,37.6,300,2025-12-02,MODIS\n"
    with pytest.raises(
        UserError, match=r"^i.csv:2: instrument: says MODIS but the columns are those of VIIRS"
    ):
        read_firms(text.encode(), path="i.csv")
