"""Thermal anomalies: cell-days with improbably many fire detections that recur, by the rules The
Economist published for its war-fire model (2023):

1. excess: a cell-day's count has probability below `p_threshold` under the baseline;
2. persistent: another excess cell-day lies less than `persistence_km` away, at least
   `min_days_apart` and less than `max_days_apart` days before or after;
3. follow-on: any detection in a cell less than `follow_on_days` days after a persistent excess
   there is part of the same activity (farm burning does not restart that soon after fighting);
4. nothing counts during extreme heat (periods given in the terms), when wildfires dominate.

Pure functions over arrays: no store, no network."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from truce.geo.projection import to_metric_xy
from truce.provisions.hostilities import ThermalAnomalyTerms as AnomalyParams
from truce.sensors.baseline import Baseline, p_at_least
from truce.sensors.grid import cell_centre, cell_index, windows_of

__all__ = ["CLOUD_CAVEAT", "Anomaly", "AnomalyParams", "Detections", "find_anomalies"]

CLOUD_CAVEAT = (
    "Satellites see no fire under thick cloud, and small or short fires go unseen: a cell or day "
    "without detections is not evidence that it was calm."
)


@dataclass
class Detections:
    """Detections as columns (from the store or a file)."""

    id: NDArray[np.object_]
    lat: NDArray[np.float64]
    lon: NDArray[np.float64]
    day: NDArray[np.int64]  # date ordinal (UTC acquisition date)

    def __len__(self) -> int:
        return len(self.day)


@dataclass
class Anomaly:
    date: dt.date
    cell_i: int
    cell_j: int
    grid_deg: float
    count: int
    expected: float
    p_value: float
    kind: str  # "persistent_excess" or "follow_on"
    basis: str  # why it counts, in words
    detection_ids: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return f"ta-{self.date:%Y%m%d}-{self.cell_i}-{self.cell_j}"

    @property
    def lat(self) -> float:
        return round(float(cell_centre(self.cell_i, self.cell_j, self.grid_deg)[0]), 5)

    @property
    def lon(self) -> float:
        return round(float(cell_centre(self.cell_i, self.cell_j, self.grid_deg)[1]), 5)

    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) of the cell."""
        s, w = self.cell_i * self.grid_deg, self.cell_j * self.grid_deg
        return (round(w, 6), round(s, 6), round(w + self.grid_deg, 6), round(s + self.grid_deg, 6))


@dataclass
class _CellDays:
    i: NDArray[np.int64]
    j: NDArray[np.int64]
    day: NDArray[np.int64]
    count: NDArray[np.int64]
    members: list[list[int]]  # detection row numbers per cell-day


def _cell_days(found: Detections, grid_deg: float) -> _CellDays:
    i, j = cell_index(found.lat, found.lon, grid_deg)
    i0, j0 = int(i.min()), int(j.min())
    width = int(j.max()) - j0 + 1
    keys = ((i - i0) * width + (j - j0)) * _DAY_SPAN + found.day
    _, first, inverse, counts = np.unique(keys, return_index=True, return_inverse=True, return_counts=True)
    by_group = np.argsort(inverse.ravel(), kind="stable")
    bounds = np.cumsum(counts)[:-1]
    members = [part.tolist() for part in np.split(by_group, bounds)]
    return _CellDays(i[first], j[first], found.day[first], counts, members)


def _in_heat(days: NDArray, params: AnomalyParams) -> NDArray[np.bool_]:
    hot = np.zeros(len(days), dtype=bool)
    for period in params.extreme_heat:
        hot |= (days >= period.start.toordinal()) & (days <= period.end.toordinal())
    return hot


def _nearest_in_time(
    keys: NDArray, cell: NDArray, day: NDArray, params: AnomalyParams
) -> tuple[NDArray, NDArray]:
    """For each query (cell, day): the index in sorted `keys` (cell·2^20 + day) of the cell's excess
    day nearest to `day` that is min_days_apart..max_days_apart-1 away, and its gap (−1: none)."""
    base = cell * _DAY_SPAN
    after = np.searchsorted(keys, base + day + params.min_days_apart)
    after_ok = after < len(keys)
    after_gap = np.where(after_ok, keys[np.minimum(after, len(keys) - 1)] - base - day, -1)
    after_ok &= (after_gap >= params.min_days_apart) & (after_gap < params.max_days_apart)
    before = np.searchsorted(keys, base + day - params.min_days_apart, side="right") - 1
    before_ok = before >= 0
    before_gap = np.where(before_ok, base + day - keys[np.maximum(before, 0)], -1)
    before_ok &= (before_gap >= params.min_days_apart) & (before_gap < params.max_days_apart)
    use_after = after_ok & (~before_ok | (after_gap <= before_gap))
    index = np.where(use_after, after, np.where(before_ok, before, -1))
    gap = np.where(use_after, after_gap, np.where(before_ok, before_gap, -1))
    return index, gap


_DAY_SPAN = 1 << 22  # day ordinals are < 2^20 for dates before 2870: one int64 key per (cell, day)


def _partners(
    cells: _CellDays, excess: NDArray[np.int64], params: AnomalyParams, grid_deg: float
) -> dict[int, tuple[int, float]]:
    """For each persistent excess cell-day (index into `cells`): one partner that makes it so
    (the nearest in time, then in space) and the distance to it in km."""
    if not len(excess):
        return {}
    i, j = cells.i[excess], cells.j[excess]
    width = int(j.max() - j.min()) + 1
    cell_keys, first, cell_of = np.unique(
        (i - i.min()) * width + (j - j.min()), return_index=True, return_inverse=True
    )
    lat, lon = cell_centre(i[first], j[first], grid_deg)
    xs, ys = to_metric_xy(lon, lat)
    points = np.stack([xs, ys], axis=1)
    # Sorted (cell, day) keys of every excess cell-day.
    keys = cell_of * _DAY_SPAN + cells.day[excess]
    order = np.argsort(keys)
    keys, rows = keys[order], excess[order]
    # Cell pairs whose centres are less than persistence_km apart, both ways, and each cell with itself.
    pairs = cKDTree(points).query_pairs(params.persistence_km * 1000 * (1 - 1e-9), output_type="ndarray")
    same = np.arange(len(cell_keys))
    a = np.concatenate([pairs[:, 0], pairs[:, 1], same])
    b = np.concatenate([pairs[:, 1], pairs[:, 0], same])
    # One query per (excess cell-day in cell a, neighbouring cell b).
    by_cell = np.argsort(cell_of, kind="stable")
    starts = np.searchsorted(cell_of[by_cell], np.arange(len(cell_keys)))
    sizes = np.bincount(cell_of, minlength=len(cell_keys))
    repeat = sizes[a]
    pair = np.repeat(np.arange(len(a)), repeat)
    offset = np.arange(repeat.sum()) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    u = by_cell[starts[a][pair] + offset]  # positions in `excess`
    target = b[pair]
    index, gap = _nearest_in_time(keys, target, cells.day[excess[u]], params)
    found = index >= 0
    u, target, index, gap = u[found], target[found], index[found], gap[found]
    km = np.hypot(*(points[cell_of[u]] - points[target]).T) / 1000
    # Nearest in time, then in space: one int64 sort key per candidate (gap < 2^20, metres < 2^20).
    best = np.argsort((u << 40) | (gap << 20) | np.rint(km * 1000).astype(np.int64), kind="stable")
    first = best[np.r_[True, u[best][1:] != u[best][:-1]]] if len(best) else best
    return {int(excess[u[n]]): (int(rows[index[n]]), float(km[n])) for n in first}


def _describe_partner(cells: _CellDays, n: int, partner: int, km: float, grid_deg: float) -> str:
    lat, lon = (int(cells.i[partner]) + 0.5) * grid_deg, (int(cells.j[partner]) + 0.5) * grid_deg
    gap = int(cells.day[partner] - cells.day[n])
    when = f"{abs(gap)} days {'later' if gap > 0 else 'earlier'}"
    where = "in the same cell" if km < 1e-6 else f"{km:.0f} km away ({lat:.2f} N, {lon:.2f} E)"
    return f"repeated {where} on {dt.date.fromordinal(int(cells.day[partner]))}, {when}"


def find_anomalies(
    found: Detections,
    baseline: Baseline,
    params: AnomalyParams,
    start: dt.date,
    end: dt.date,
) -> list[Anomaly]:
    """Thermal anomalies dated start..end (inclusive). `found` should reach max_days_apart days
    either side, or persistence is judged on less than the rules allow for."""
    grid = baseline.params.grid_deg
    if not len(found):
        return []
    cells = _cell_days(found, grid)
    mean, k = baseline.expected(cells.i, cells.j, windows_of(cells.day))
    p = p_at_least(cells.count, mean, k)
    hot = _in_heat(cells.day, params)
    excess = np.flatnonzero((p < params.p_threshold) & ~hot)
    partners = _partners(cells, excess, params, grid)

    def anomaly(n: int, kind: str, basis: str) -> Anomaly:
        return Anomaly(
            date=dt.date.fromordinal(int(cells.day[n])),
            cell_i=int(cells.i[n]),
            cell_j=int(cells.j[n]),
            grid_deg=grid,
            count=int(cells.count[n]),
            expected=float(mean[n]),
            p_value=float(p[n]),
            kind=kind,
            basis=basis,
            detection_ids=sorted(str(found.id[m]) for m in cells.members[n]),
        )

    first, last = start.toordinal(), end.toordinal()
    result: dict[int, Anomaly] = {}
    for n, (partner, km) in partners.items():
        if first <= cells.day[n] <= last:
            basis = (
                f"{int(cells.count[n])} detections where {mean[n]:.2g} are expected (p = {p[n]:.2g} "
                f"< {params.p_threshold}); {_describe_partner(cells, n, partner, km, grid)}"
            )
            result[n] = anomaly(n, "persistent_excess", basis)
    # Follow-on: later detections in a cell with a persistent excess less than N days before.
    persistent_by_cell: dict[tuple[int, int], list[int]] = defaultdict(list)
    for n in partners:
        persistent_by_cell[(int(cells.i[n]), int(cells.j[n]))].append(int(cells.day[n]))
    for n in range(len(cells.day)):
        day = int(cells.day[n])
        if n in result or hot[n] or not first <= day <= last:
            continue
        before = [
            d
            for d in persistent_by_cell.get((int(cells.i[n]), int(cells.j[n])), ())
            if 0 < day - d < params.follow_on_days
        ]
        if before:
            since = max(before)
            basis = (
                f"{int(cells.count[n])} detections {day - since} days after a persistent excess in this "
                f"cell on {dt.date.fromordinal(since)} (less than {params.follow_on_days} days)"
            )
            result[n] = anomaly(n, "follow_on", basis)
    return sorted(result.values(), key=lambda a: (a.date, a.cell_i, a.cell_j))
