"""The report's "Satellite thermal anomalies" section on constructed anomalies with known answers:
counted on the day, the day before and since the start, per oblast and per zone; the day's listed;
the cells drawn; the cloud caveat in every language; and a workspace without sensors says so."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
from html.parser import HTMLParser

import pytest
import shapely
from sqlalchemy import delete, insert, select

from truce.publish.report import LANGUAGES, build_report, labels_for, render
from truce.publish.report.anomalies import year_spans
from truce.sensors.anomalies import Anomaly
from truce.sensors.bundled import bundled_detections, bundled_history
from truce.sensors.store import anomaly_json
from truce.sensors.tables import sensor_baselines, thermal_anomalies
from truce.store import open_workspace

DAY = dt.date(2026, 1, 15)
GRID = 0.1


def _anomaly(day: dt.date, lat: float, lon: float, count: int = 5) -> Anomaly:
    return Anomaly(
        date=day,
        cell_i=int(lat // GRID),
        cell_j=int(lon // GRID),
        grid_deg=GRID,
        count=count,
        expected=0.0014,
        p_value=3.4e-8,
        kind="persistent_excess",
        basis="constructed",
        detection_ids=[f"d{n}" for n in range(count)],
    )


def _store(ws, anomalies: list[Anomaly]) -> None:
    with ws.engine.begin() as conn:
        baseline = conn.execute(select(sensor_baselines.c.id)).scalar_one()
        conn.execute(delete(thermal_anomalies))
        for a in anomalies:
            body = anomaly_json(a, baseline, None)
            conn.execute(
                insert(thermal_anomalies).values(
                    id=a.id,
                    date=a.date,
                    lat=a.lat,
                    lon=a.lon,
                    admin1=None,
                    kind=a.kind,
                    count=a.count,
                    expected=a.expected,
                    p_value=a.p_value,
                    baseline_id=baseline,
                    computed_at="2026-02-01T00:00:00+00:00",
                    body=json.dumps(body),
                )
            )


@pytest.fixture
def constructed(demo_copy):
    """A cell inside the first zone on the day; Odesa the day before; Lviv on the 2nd; one before
    the ceasefire and one after the report's day (counted nowhere)."""
    ws = open_workspace(str(demo_copy))
    zones = build_report(ws, DAY, publish_first=False).layers.zones
    inside = shapely.get_coordinates(zones[0]["geometry"].representative_point())[0]
    anomalies = {
        "zone": _anomaly(DAY, inside[1], inside[0], count=9),
        "odesa": _anomaly(DAY - dt.timedelta(days=1), 46.47, 30.72),
        "lviv": _anomaly(dt.date(2026, 1, 2), 49.84, 24.03),
        "before": _anomaly(dt.date(2025, 12, 20), 46.47, 30.72),
        "after": _anomaly(DAY + dt.timedelta(days=1), 49.84, 24.03),
    }
    _store(ws, list(anomalies.values()))
    yield ws, anomalies, zones[0]["id"]
    ws.engine.dispose()


def test_counts_per_oblast_and_zone_against_the_day_before_and_since_the_start(constructed):
    ws, anomalies, zone_id = constructed
    data = build_report(ws, DAY, publish_first=False)
    section = data.figures["thermal_anomalies"]
    assert section["available"] is True
    assert (section["today"], section["previous"], section["change"], section["since_start"]) == (1, 1, 0, 3)
    rows = {r["key"]: (r["today"], r["previous"], r["since_start"]) for r in section["by_oblast"]}
    zone_oblast = next(k for k, v in rows.items() if v[0] == 1)
    assert rows == {zone_oblast: (1, 0, 1), "UA-51": (0, 1, 1), "UA-46": (0, 0, 1)}
    zones = {r["key"]: (r["today"], r["previous"], r["since_start"]) for r in section["by_zone"]}
    assert zones[zone_id] == (1, 0, 1)
    assert [r["id"] for r in section["on_day"]] == [anomalies["zone"].id]
    listed = section["on_day"][0]
    assert listed["detections"] == 9 and listed["area"] == zone_oblast and listed["p_value"] == 3.4e-8
    # the map draws the cells since the start, the day's marked
    drawn = {(round(c[0], 1), round(c[1], 1)): c[4] for c in data.layers.anomalies}
    assert len(drawn) == 3 and sum(drawn.values()) == 1
    assert drawn[(round(anomalies["zone"].bounds()[0], 1), round(anomalies["zone"].bounds()[1], 1))] is True


class _Section(HTMLParser):
    """The text of <section id="thermal-anomalies"> and the cells its map draws."""

    def __init__(self) -> None:
        super().__init__()
        self.depth, self.text, self.cells = 0, [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "section" and attrs.get("id") == "thermal-anomalies":
            self.depth = 1
        elif self.depth and tag == "section":
            self.depth += 1
        if self.depth and tag == "rect" and "data-today" in attrs:
            self.cells.append(attrs["data-today"])

    def handle_endtag(self, tag):
        if self.depth and tag == "section":
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_section_in_each_language_carries_the_caveat_and_the_map(constructed, lang):
    ws, _, _ = constructed
    data = build_report(ws, DAY, publish_first=False)
    labels = labels_for(lang)
    html = render(data, "html", lang).decode()
    parsed = _Section()
    parsed.feed(html)
    text = " ".join(" ".join(parsed.text).split())
    assert labels["section_anomalies"] in text
    assert " ".join(labels["anomalies_caveat"].split()) in text
    assert sorted(parsed.cells) == ["false", "false", "true"]
    assert (
        labels.text(
            "lat_lon",
            lat=labels.number(data.figures["thermal_anomalies"]["on_day"][0]["lat"], 2),
            lon=labels.number(data.figures["thermal_anomalies"]["on_day"][0]["lon"], 2),
        )
        in text
    )
    assert f"3{labels['decimal_mark']}4 × 10⁻⁸" in text  # the probability, two significant digits
    assert 'data-figure="thermal-anomalies"' in html  # a key figure too
    markdown = render(data, "md", lang).decode()
    assert f"## {labels['section_anomalies']}" in markdown and labels["anomalies_caveat_title"] in markdown


def test_without_a_baseline_the_report_says_anomalies_are_not_computed(constructed):
    ws, _, _ = constructed
    with ws.engine.begin() as conn:
        conn.execute(delete(thermal_anomalies))
        conn.execute(delete(sensor_baselines.metadata.tables["sensor_baseline_cells"]))
        conn.execute(delete(sensor_baselines))
    data = build_report(ws, DAY, publish_first=False)
    assert data.figures["thermal_anomalies"]["available"] is False and data.layers.anomalies == []
    for lang in LANGUAGES:
        html = render(data, "html", lang).decode()
        assert labels_for(lang)["anomalies_unavailable"] in html and 'id="report-map-anomalies"' not in html


def test_a_day_without_anomalies_says_what_a_zero_does_not_mean(constructed):
    ws, _, _ = constructed
    data = build_report(ws, dt.date(2026, 1, 10), publish_first=False)
    assert data.figures["thermal_anomalies"]["today"] == 0
    assert labels_for("en")["no_anomalies_on_day"] in render(data, "html", "en").decode()


def _bundled_rows_on(day: dt.date) -> int:
    """Detections NASA's file lists for a UTC day, counted from the file itself."""
    with bundled_detections().open(encoding="utf-8") as handle:
        return sum(1 for row in csv.DictReader(handle) if row["acq_date"] == day.isoformat())


def test_the_section_says_how_many_detections_the_day_had_and_what_the_baseline_learned_from(demo_copy):
    ws = open_workspace(str(demo_copy))
    day = dt.date(2026, 1, 3)
    data = build_report(ws, day, publish_first=False)
    section = data.figures["thermal_anomalies"]
    today, previous = _bundled_rows_on(day), _bundled_rows_on(day - dt.timedelta(days=1))
    assert today > previous > 0
    assert section["detections"] == {"today": today, "previous": previous, "instruments": ["VIIRS"]}
    # the years the demo's baseline learned from: those its history holds (2014, 2015, 2017 absent)
    with gzip.open(bundled_history(), "rt", encoding="utf-8") as handle:
        held = sorted({int(row["year"]) for row in csv.DictReader(handle)})
    assert section["baseline_years"] == held and held[0] == 2012 and 2014 not in held
    for lang in LANGUAGES:
        labels = labels_for(lang)
        html = render(data, "html", lang).decode()
        parsed = _Section()
        parsed.feed(html)
        text = " ".join(" ".join(parsed.text).split())
        said = labels.text(
            "anomalies_detections",
            date=labels.date(day),
            today=labels.number(today),
            previous=labels.number(previous),
        )
        assert " ".join(said.split()) in text
        assert labels.text("anomalies_credits", instruments="VIIRS", years=year_spans(held)) in text
    ws.engine.dispose()


def test_a_day_without_detections_is_stated_as_none_held(constructed):
    ws, _, _ = constructed
    data = build_report(ws, dt.date(2026, 1, 25), publish_first=False)  # no detection that day
    assert data.figures["thermal_anomalies"]["detections"]["today"] == 0
    text = render(data, "md", "en").decode()
    assert "NASA FIRMS fire detections held for" in text and "(UTC day): 0;" in text


@pytest.mark.parametrize(
    ("years", "written"),
    [
        ([2012], "2012"),
        (list(range(2012, 2022)), "2012–2021"),
        ([2012, 2013, 2016, 2018, 2019], "2012–2013, 2016, 2018–2019"),
    ],
)
def test_years_are_written_as_spans(years, written):
    assert year_spans(years) == written
