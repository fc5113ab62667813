"""The Poisson–gamma baseline on constructed histories whose answers can be worked out by hand."""

from __future__ import annotations

import datetime as dt
import gzip

import numpy as np
import pytest

from truce.errors import UserError
from truce.sensors.baseline import (
    BaselineParams,
    fit_baseline,
    load_history,
    p_at_least,
    summarise,
)
from truce.sensors.grid import cell_index, days_per_window, window_of, windows_of

JAN = [dt.date(2019, 1, d).toordinal() for d in range(1, 16)]  # window 0: 1–15 January, 15 days


def history(points: list[tuple[float, float, int]]):
    lat, lon, day = (np.array(v) for v in zip(*points, strict=True))
    return summarise(lat, lon, day, 0.1)


def test_grid_cells_and_half_months():
    i, j = cell_index([48.05, 48.0, -0.05], [37.05, 37.0, 0.05], 0.1)
    assert (i.tolist(), j.tolist()) == ([480, 480, -1], [370, 370, 0])
    assert [window_of(dt.date(2021, m, d)) for m, d in [(1, 1), (1, 15), (1, 16), (2, 29 - 1), (12, 31)]] == [
        0,
        0,
        1,
        3,
        23,
    ]
    days = [dt.date(2020, 2, 29).toordinal(), dt.date(2021, 7, 16).toordinal()]
    assert windows_of(days).tolist() == [3, 13]
    assert days_per_window(2020)[3] == 14 and days_per_window(2019)[3] == 13
    assert days_per_window(2019).sum() == 365


def test_a_steady_cell_expects_its_own_rate():
    summary = history([(48.05, 37.05, d) for d in JAN for _ in range(2)])  # 2 a day, every day
    params = BaselineParams(neighbourhood=0, prior_days=30, season_windows=0)
    model = fit_baseline(summary, [2019], params)
    mean, k = model.expected(np.array([480]), np.array([370]), np.array([0]))
    # S = 30 over n = 15 days, prior centred on the cell itself: (30 + 30·2) / (15 + 30) = 2.
    assert mean[0] == pytest.approx(2.0)
    assert k[0] >= 1e5  # no day-to-day spread at all: Poisson


def test_neighbours_are_smoothed_and_quiet_places_get_the_floor():
    summary = history([(48.05, 37.05, d) for d in JAN for _ in range(2)])
    params = BaselineParams(neighbourhood=1, prior_days=30, season_windows=0)
    model = fit_baseline(summary, [2019], params)
    mean, _ = model.expected(np.array([480, 481, 490]), np.array([370, 371, 370]), np.array([0, 0, 0]))
    rate = 30 / (9 * 15)  # the neighbourhood's rate per cell-day
    assert mean[0] == pytest.approx((30 + 30 * rate) / (15 + 30))
    assert mean[1] == pytest.approx(30 * rate / (15 + 30))  # never burned, but its neighbour did
    assert mean[2] == pytest.approx(0.5 / (15 + 30))  # nothing near: half a detection over the history


def test_bursty_history_has_small_dispersion():
    # 30 detections on one day and none on the other 14: x̄ = 2, s² = 900/15 − 4 = 56, k = 4 / 54.
    summary = history([(48.05, 37.05, JAN[0])] * 30)
    model = fit_baseline(summary, [2019], BaselineParams(neighbourhood=0, season_windows=0))
    assert model.dispersion[0] == pytest.approx(4 / 54)


def test_season_pools_the_half_months_either_side():
    summary = history([(48.05, 37.05, dt.date(2019, 1, 20).toordinal())] * 6)  # window 1
    model = fit_baseline(summary, [2019], BaselineParams(neighbourhood=0, prior_days=1, season_windows=1))
    n = days_per_window(2019)
    pooled = n[23] + n[0] + n[1]  # window 0's season: 16–31 Dec, 1–15 Jan, 16–31 Jan
    mean, _ = model.expected(np.array([480]), np.array([370]), np.array([0]))
    assert mean[0] == pytest.approx((6 + 6 / pooled) / (pooled + 1))


def test_p_at_least_is_the_negative_binomial_tail():
    # k = 1 is the geometric distribution: P(Y ≥ y) = (μ / (1 + μ))^y.
    assert p_at_least(np.array([3]), np.array([1.0]), np.array([1.0]))[0] == pytest.approx(0.125)
    assert p_at_least(np.array([0]), np.array([0.3]), np.array([2.0]))[0] == pytest.approx(1.0)
    # Nearly Poisson: P(Y ≥ 1) = 1 − e^−μ.
    assert p_at_least(np.array([1]), np.array([0.5]), np.array([1e6]))[0] == pytest.approx(
        1 - np.exp(-0.5), rel=1e-4
    )


def test_a_summary_file_fits_the_same_baseline_as_the_detections(tmp_path):
    rows = "LATITUDE,LONGITUDE,ACQ_DATE\n" + "".join(
        f"48.0{n % 10},37.1{n % 7},2019-0{1 + n % 9}-1{n % 10}\n" for n in range(300)
    )
    raw = tmp_path / "viirs_2019.csv"
    raw.write_text(rows)
    params = BaselineParams()
    direct = fit_baseline(load_history([raw], 0.1), [2019], params)
    packed = tmp_path / "summary.csv.gz"
    packed.write_bytes(gzip.compress(load_history([raw], 0.1).to_csv()))
    via_summary = fit_baseline(load_history([packed], 0.1), [2019], params)
    np.testing.assert_allclose(np.sort(direct.mean), np.sort(via_summary.mean))
    np.testing.assert_allclose(direct.dispersion, via_summary.dispersion)


def test_years_outside_the_history_are_refused(tmp_path):
    summary = history([(48.05, 37.05, JAN[0])])
    with pytest.raises(UserError, match="--years: the history holds none of"):
        fit_baseline(summary, [2005], BaselineParams())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "LATITUDE,LONGITUDE,ACQ_DATE\n48.1,37.2,2019-02-30\n",
            "h.csv:2: acq_date: expected a date YYYY-MM-DD, got '2019-02-30'",
        ),
        (
            "LATITUDE,LONGITUDE,ACQ_DATE\n48.1,x,2019-02-03\n",
            "h.csv:2: latitude, longitude: expected numbers",
        ),
        ("LAT,LON,DAY\n48.1,37.2,2019-02-03\n", "h.csv:1: not a FIRMS file"),
    ],
)
def test_bad_history_files(tmp_path, text, message):
    path = tmp_path / "h.csv"
    path.write_text(text)
    with pytest.raises(UserError) as error:
        load_history([path], 0.1)
    assert str(error.value).startswith(str(path).replace("h.csv", "") + message)


def test_years_missing_from_the_history_are_not_counted_as_quiet_years():
    summary = history([(48.05, 37.05, d) for d in JAN for _ in range(2)])
    params = BaselineParams(neighbourhood=0, season_windows=0)
    asked_more = fit_baseline(summary, [2014, 2015, 2019], params)  # 2014–15 are absent, not empty
    assert asked_more.years == [2019]
    np.testing.assert_allclose(asked_more.mean, fit_baseline(summary, [2019], params).mean)
