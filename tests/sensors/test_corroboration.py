"""Reported attacks linked to thermal anomalies, and what a link does to credibility."""

from __future__ import annotations

import datetime as dt

import pytest

from truce.sensors.corroboration import AnomalyIndex
from truce.verify.grading import Credibility, Grade, Reliability, corroborated_by_sensor


def anomaly(day: str, south: float, west: float, kind: str = "persistent_excess") -> dict:
    return {
        "id": f"ta-{day}-{south}-{west}",
        "date": day,
        "kind": kind,
        "p_value": 1e-6,
        "cell": {"bounds": [west, south, west + 0.1, south + 0.1], "grid_deg": 0.1},
    }


INDEX = AnomalyIndex([anomaly("2026-01-03", 48.0, 37.5)], link_km=10, link_days=1)
JAN_3 = dt.date(2026, 1, 3)


def links(kind="shelling", precision="settlement", lon=37.55, lat=48.05, start=JAN_3, end=JAN_3):
    return INDEX.links(kind, precision, lon, lat, start, end)


def test_a_strike_inside_the_cell_the_same_day_is_linked():
    (link,) = links()
    assert (link.distance_km, link.days_apart) == (0.0, 0)
    assert link.reason() == "satellite thermal anomaly ta-2026-01-03-48.0-37.5 in its cell, the same day"


def test_distance_is_to_the_cell_edge_and_days_count_either_way():
    # 0.1° of longitude east of the cell at 48 N is 7.4 km; 0.2° is 14.9 km.
    (near,) = links(lon=37.7, lat=48.05, start=dt.date(2026, 1, 4), end=dt.date(2026, 1, 4))
    assert near.distance_km == pytest.approx(7.44, abs=0.05) and near.days_apart == -1
    assert links(lon=37.8, lat=48.05) == []  # 14.9 km
    assert links(start=dt.date(2026, 1, 5), end=dt.date(2026, 1, 5)) == []  # 2 days after
    (week,) = links(start=dt.date(2025, 12, 30), end=dt.date(2026, 1, 5))  # a week-precision report
    assert week.days_apart == 0


@pytest.mark.parametrize(
    ("kind", "precision", "lon"),
    [
        ("weapon_sighting", "settlement", 37.55),
        ("shelling", "oblast", 37.55),
        ("shelling", "settlement", None),
    ],
)
def test_only_attacks_with_a_precise_place_are_linked(kind, precision, lon):
    assert links(kind=kind, precision=precision, lon=lon) == []


def grade(credibility: Credibility) -> Grade:
    return Grade(Reliability.C, credibility, ("outlet",), (), (), ("why",))


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (Credibility.possibly_true, Credibility.probably_true),
        (Credibility.doubtful, Credibility.possibly_true),
        (Credibility.probably_true, Credibility.probably_true),  # 1 needs two independent reports
        (Credibility.cannot_be_judged, Credibility.cannot_be_judged),  # a sensor alone is no proof
        (Credibility.improbable, Credibility.improbable),
    ],
)
def test_a_sensor_raises_credibility_one_step_at_most_to_two(before, after):
    raised = corroborated_by_sensor(
        grade(before), ["satellite thermal anomaly ta-1 in its cell, the same day"]
    )
    assert raised.credibility == after
    assert raised.rationale[-1].endswith("satellite thermal anomaly ta-1 in its cell, the same day")
    assert ("raised" in raised.rationale[-1]) == (before != after)


def test_no_link_no_change():
    assert corroborated_by_sensor(grade(Credibility.possibly_true), []) == grade(Credibility.possibly_true)
