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
    keys = np.stack([i, j, found.day], axis=1)
    unique, inverse, counts = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
    members: list[list[int]] = [[] for _ in range(len(unique))]
    for row, group in enumerate(inverse.ravel().tolist()):
        members[group].append(row)
    return _CellDays(unique[:, 0], unique[:, 1], unique[:, 2], counts, members)


def _in_heat(days: NDArray, params: AnomalyParams) -> NDArray[np.bool_]:
    hot = np.zeros(len(days), dtype=bool)
    for period in params.extreme_heat:
        hot |= (days >= period.start.toordinal()) & (days <= period.end.toordinal())
    return hot


def _cross(starts: NDArray, sizes: NDArray, a: NDArray, b: NDArray) -> tuple[NDArray, NDArray]:
    """Every (row of cell a, row of cell b) for each cell pair, rows given as runs starts/sizes."""
    na, nb = sizes[a], sizes[b]
    total = na * nb
    pair = np.repeat(np.arange(len(a)), total)
    offset = np.arange(total.sum()) - np.repeat(np.cumsum(total) - total, total)
    return starts[a][pair] + offset // nb[pair], starts[b][pair] + offset % nb[pair]


def _partners(
    cells: _CellDays, excess: NDArray[np.int64], params: AnomalyParams, grid_deg: float
) -> dict[int, tuple[int, float]]:
    """For each persistent excess cell-day (index into `cells`): one partner that makes it so
    (the nearest in time, then in space) and the distance to it in km."""
    if not len(excess):
        return {}
    order = excess[np.lexsort((cells.day[excess], cells.j[excess], cells.i[excess]))]
    keys, starts, sizes = np.unique(
        np.stack([cells.i[order], cells.j[order]], axis=1), axis=0, return_index=True, return_counts=True
    )
    lat, lon = cell_centre(keys[:, 0], keys[:, 1], grid_deg)
    xs, ys = to_metric_xy(lon, lat)
    points = np.stack([xs, ys], axis=1)
    # Cell pairs whose centres are less than persistence_km apart, both ways, and each cell with itself.
    pairs = cKDTree(points).query_pairs(params.persistence_km * 1000 * (1 - 1e-9), output_type="ndarray")
    same = np.arange(len(keys))
    a = np.concatenate([pairs[:, 0], pairs[:, 1], same])
    b = np.concatenate([pairs[:, 1], pairs[:, 0], same])
    u, v = _cross(starts, sizes, a, b)
    gap = np.abs(cells.day[order[u]] - cells.day[order[v]])
    ok = (gap >= params.min_days_apart) & (gap < params.max_days_apart)
    u, v, gap = u[ok], v[ok], gap[ok]
    cell_of = np.repeat(np.arange(len(keys)), sizes)
    km = np.hypot(*(points[cell_of[u]] - points[cell_of[v]]).T) / 1000
    best = np.lexsort((km, gap, u))
    first = best[np.r_[True, u[best][1:] != u[best][:-1]]] if len(best) else best
    return {int(order[u[n]]): (int(order[v[n]]), float(km[n])) for n in first}


def _describe_partner(cells: _CellDays, n: int, partner: int, km: float, grid_deg: float) -> str:
    lat, lon = cell_centre(cells.i[partner], cells.j[partner], grid_deg)
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
