"""The Economist's persistence rules on constructed detections with known answers."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from truce.sensors.anomalies import AnomalyParams, Detections, find_anomalies
from truce.sensors.baseline import Baseline, BaselineParams

D = dt.date(2024, 6, 1)
EMPTY = np.array([], dtype=np.int64)


def flat_baseline() -> Baseline:
    """Every cell expects 0.001 detections a day with k = 1: one detection has p ≈ 0.001, two ≈ 1e-6."""
    return Baseline(
        BaselineParams(), [2019], np.ones(24), np.full(24, 0.001), EMPTY, EMPTY, EMPTY, np.array([])
    )


def detections(*groups: tuple[float, float, dt.date, int]) -> Detections:
    rows = [(lat, lon, day) for lat, lon, day, count in groups for _ in range(count)]
    return Detections(
        np.array([f"d{n}" for n in range(len(rows))], dtype=object),
        np.array([r[0] for r in rows]),
        np.array([r[1] for r in rows]),
        np.array([r[2].toordinal() for r in rows]),
    )


# Only two or more detections in a cell-day are an excess at this threshold.
RULES = AnomalyParams(p_threshold=1e-4)
A, B = (48.05, 37.05), (48.05, 37.45)  # cell centres 29.8 km apart
G, H, J = (47.05, 30.05), (47.05, 30.25), (47.05, 30.85)  # H 15 km from G, J 60.7 km from G


def run(
    found: Detections,
    rules: AnomalyParams = RULES,
    start=D - dt.timedelta(days=300),
    end=D + dt.timedelta(days=300),
):
    return {(a.date, a.lat, a.lon): a for a in find_anomalies(found, flat_baseline(), rules, start, end)}


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def test_excess_repeated_within_50_km_7_to_179_days_apart_is_persistent():
    found = run(detections((*A, D, 3), (*B, day(10), 2)))
    assert set(found) == {(D, *A), (day(10), *B)}
    first = found[(D, *A)]
    assert (first.kind, first.count, first.detection_ids) == ("persistent_excess", 3, ["d0", "d1", "d2"])
    assert first.p_value < 1e-8 and first.expected == pytest.approx(0.001)
    assert "repeated 30 km away (48.05 N, 37.45 E) on 2024-06-11, 10 days later" in first.basis
    assert first.id == "ta-20240601-480-370" and first.bounds() == (37.0, 48.0, 37.1, 48.1)


@pytest.mark.parametrize(
    ("second", "why"),
    [
        ((*H, day(5)), "only 5 days apart"),
        ((*H, day(180)), "180 days apart"),
        ((*J, day(10)), "60.7 km apart"),
    ],
)
def test_excess_that_does_not_recur_by_the_rules_is_not_an_anomaly(second, why):
    assert run(detections((*G, D, 3), (*second, 3))) == {}, why


def test_the_edges_of_the_rules_are_inside():
    assert len(run(detections((*G, D, 3), (*H, day(7), 3)))) == 2  # exactly 7 days
    assert len(run(detections((*G, D, 3), (*H, day(179), 3)))) == 2  # 179 days
    assert len(run(detections((*G, D, 3), (*G, day(30), 3)))) == 2  # the same cell later


def test_single_detections_are_no_excess_here_but_follow_on_after_a_persistent_one():
    found = run(
        detections(
            (*A, D, 3),
            (*B, day(10), 2),
            (*A, day(3), 1),  # 3 days after A's persistent excess: follow-on
            (*A, day(10), 1),  # 10 days after: not "less than 10"
            (*H, day(3), 1),  # a lone detection elsewhere: nothing
        )
    )
    assert set(found) == {(D, *A), (day(10), *B), (day(3), *A)}
    follow = found[(day(3), *A)]
    assert (
        follow.kind == "follow_on"
        and "3 days after a persistent excess in this cell on 2024-06-01" in follow.basis
    )


def test_nothing_counts_during_extreme_heat():
    hot = AnomalyParams(p_threshold=1e-4, extreme_heat=[{"start": D, "end": day(2)}])
    # A falls in the heat: it is no excess, so B has no partner either.
    assert run(detections((*A, D, 3), (*B, day(10), 2)), hot) == {}


def test_only_the_requested_days_are_reported_but_partners_outside_count():
    found = run(detections((*A, D, 3), (*B, day(10), 2)), start=day(5), end=day(20))
    assert set(found) == {(day(10), *B)}
    assert "10 days earlier" in found[(day(10), *B)].basis


def test_the_threshold_comes_from_the_terms():
    strict = AnomalyParams(p_threshold=1e-9)
    assert run(detections((*A, D, 3), (*B, day(10), 2)), strict) == {}  # two detections: p ≈ 1e-6


def test_no_detections_no_anomalies():
    assert find_anomalies(detections(), flat_baseline(), RULES, D, day(1)) == []
