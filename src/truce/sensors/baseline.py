"""What is normal: the expected number of fire detections per grid cell and season, with its spread.

The model is the Poisson–gamma (negative binomial) model of count data, fitted by empirical Bayes:
- a cell's daily count is Poisson with a rate that varies from day to day as a gamma variable, so
  the count is negative binomial with mean μ (cell, season) and shape k (season): variance μ + μ²/k;
- μ is the cell's own rate over the normal years, pooled over three half-months (the season, ±15
  days), shrunk towards the rate of the (2r+1)² cells around it: μ = (S + a·m) / (n + a), the
  posterior mean of a gamma prior centred on the neighbourhood rate m with the weight of a days;
  a cell that never burned keeps a small rate if its neighbours burn, and a floor of half a
  detection over the whole history otherwise;
- k is the common dispersion of the season, estimated by the method of moments over every cell with
  detections (pooled Σx̄² / Σ(s² − x̄), as edgeR's "common dispersion").
P(count ≥ y) under NB(μ, k) is the probability of a cell-day at least this busy in a normal year.

History comes as FIRMS files (any layout) or as a summary of them (`summarise` / `write_summary`),
which keeps only what the model needs: per year, cell and half-month, the detections and the sum of
squared daily counts."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import hashlib
import io
import json
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy.stats import nbinom

from truce.errors import UserError
from truce.intake._common import decode_utf8
from truce.sensors.grid import WINDOWS, cell_index, days_per_window, windows_of

__all__ = [
    "Baseline",
    "BaselineParams",
    "HistorySummary",
    "fit_baseline",
    "load_history",
    "p_at_least",
    "read_points",
    "summarise",
]

SUMMARY_HEADER = ["grid_deg", "year", "cell_i", "cell_j", "window", "detections", "sum_sq_daily"]
_POISSON_K = 1e6  # "no overdispersion": NB with this shape is Poisson to many digits


@dataclass(frozen=True)
class BaselineParams:
    grid_deg: float = 0.1
    neighbourhood: int = 2  # r: the prior's neighbourhood is (2r+1)² cells (5 × 5 ≈ 55 × 35 km)
    prior_days: float = 30.0  # a: how many days of data the neighbourhood's rate weighs
    season_windows: int = 1  # half-months pooled on each side of the day's own

    def to_json(self) -> dict:
        return {
            "grid_deg": self.grid_deg,
            "neighbourhood": self.neighbourhood,
            "prior_days": self.prior_days,
            "season_windows": self.season_windows,
        }


# --- history --------------------------------------------------------------------------------------


def read_points(content: bytes, path: str) -> tuple[NDArray, NDArray, NDArray]:
    """(lat, lon, date ordinal) of every row of a FIRMS file, for the baseline: fast, same errors."""
    text = decode_utf8(content, path)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    try:
        at = [header.index(name) for name in ("latitude", "longitude", "acq_date")]
    except ValueError:
        raise UserError(
            path, 1, "not a FIRMS file: expected the columns latitude, longitude and acq_date"
        ) from None
    lats, lons, days = [], [], []
    dates: dict[str, int] = {}
    for line, cells in enumerate(reader, start=2):
        if not cells:
            continue
        try:
            lat, lon, day = float(cells[at[0]]), float(cells[at[1]]), cells[at[2]].strip()
        except (ValueError, IndexError):
            raise UserError(path, line, "latitude, longitude: expected numbers") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise UserError(path, line, f"latitude, longitude: {lat}, {lon} is not a place on Earth")
        ordinal = dates.get(day)
        if ordinal is None:
            try:
                ordinal = dates[day] = dt.date.fromisoformat(day).toordinal()
            except ValueError:
                raise UserError(path, line, f"acq_date: expected a date YYYY-MM-DD, got {day!r}") from None
        lats.append(lat)
        lons.append(lon)
        days.append(ordinal)
    return np.array(lats), np.array(lons), np.array(days, dtype=np.int64)


@dataclass
class HistorySummary:
    """Per (year, cell, half-month): detections and the sum of squared daily counts."""

    grid_deg: float
    year: NDArray[np.int64]
    i: NDArray[np.int64]
    j: NDArray[np.int64]
    window: NDArray[np.int64]
    detections: NDArray[np.int64]
    sum_sq: NDArray[np.int64]
    sources: list[dict] = field(default_factory=list)  # {file, sha256} of what it was made from

    @property
    def years(self) -> list[int]:
        return sorted({int(y) for y in self.year})

    def only_years(self, years: Iterable[int]) -> HistorySummary:
        keep = np.isin(self.year, list(years))
        return HistorySummary(
            self.grid_deg,
            *(a[keep] for a in (self.year, self.i, self.j, self.window, self.detections, self.sum_sq)),
            sources=self.sources,
        )

    def to_csv(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(SUMMARY_HEADER)
        order = np.lexsort((self.window, self.j, self.i, self.year))
        for n in order:
            writer.writerow(
                [
                    self.grid_deg,
                    self.year[n],
                    self.i[n],
                    self.j[n],
                    self.window[n],
                    self.detections[n],
                    self.sum_sq[n],
                ]
            )
        return out.getvalue().encode()


def _group_sum(keys: NDArray, *values: NDArray) -> tuple[NDArray, ...]:
    unique, inverse = np.unique(keys, return_inverse=True)
    return (unique, *(np.bincount(inverse, weights=v, minlength=len(unique)) for v in values))


def summarise(lat: NDArray, lon: NDArray, ordinal: NDArray, grid_deg: float) -> HistorySummary:
    i, j = cell_index(lat, lon, grid_deg)
    i0, j0 = i.min(initial=0), j.min(initial=0)
    span_i, span_j = int(i.max(initial=0) - i0 + 1), int(j.max(initial=0) - j0 + 1)
    cell = (i - i0) * span_j + (j - j0)
    # Daily counts per cell, then per (year, cell, window) their sum and sum of squares.
    day_keys, daily = _group_sum(cell * 1_000_000 + ordinal, np.ones(len(cell)))
    cells, days = day_keys // 1_000_000, day_keys % 1_000_000
    years = np.array([dt.date.fromordinal(int(d)).year for d in np.unique(days)])
    year_of = dict(zip(np.unique(days).tolist(), years.tolist(), strict=True))
    year = np.array([year_of[d] for d in days.tolist()], dtype=np.int64)
    key = (year * (span_i * span_j) + cells) * WINDOWS + windows_of(days)
    unique, detections, sum_sq = _group_sum(key, daily, daily**2)
    window = unique % WINDOWS
    cells = (unique // WINDOWS) % (span_i * span_j)
    return HistorySummary(
        grid_deg,
        unique // WINDOWS // (span_i * span_j),
        cells // span_j + i0,
        cells % span_j + j0,
        window,
        detections.astype(np.int64),
        sum_sq.astype(np.int64),
    )


def _read_summary(content: bytes, path: str) -> HistorySummary:
    text = decode_utf8(gzip.decompress(content) if content[:2] == b"\x1f\x8b" else content, path)
    rows = csv.reader(io.StringIO(text, newline=""))
    if [h.strip() for h in next(rows, [])] != SUMMARY_HEADER:
        raise UserError(path, 1, f"a history summary's header must be {','.join(SUMMARY_HEADER)}")
    values: list[list[float]] = []
    for line, cells in enumerate(rows, start=2):
        try:
            values.append([float(c) for c in cells])
        except ValueError:
            raise UserError(path, line, "expected numbers in every column") from None
        if len(cells) != len(SUMMARY_HEADER):
            raise UserError(path, line, f"has {len(cells)} fields but the header has {len(SUMMARY_HEADER)}")
    table = np.array(values, dtype=float).reshape(-1, len(SUMMARY_HEADER))
    grids = set(table[:, 0].tolist())
    if len(grids) > 1:
        raise UserError(path, None, f"grid_deg: one grid per file, found {sorted(grids)}")
    ints = table[:, 1:].astype(np.int64)
    return HistorySummary(grids.pop() if grids else 0.1, *ints.T)


def _is_summary(content: bytes) -> bool:
    head = gzip.decompress(content)[:200] if content[:2] == b"\x1f\x8b" else content[:200]
    return head.startswith(SUMMARY_HEADER[0].encode())


def load_history(
    paths: Iterable[Path], grid_deg: float, progress: Callable[[int, int], None] | None = None
) -> HistorySummary:
    """One summary from FIRMS files and/or summaries (which must be on the same grid)."""
    paths = list(paths)
    parts: list[HistorySummary] = []
    sources = []
    for done, path in enumerate(paths):
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise UserError(str(path), None, f"cannot read the file: {exc.strerror}") from None
        if _is_summary(content):
            part = _read_summary(content, str(path))
            if not math.isclose(part.grid_deg, grid_deg):
                raise UserError(
                    str(path), None, f"grid_deg: summary is on a {part.grid_deg}° grid, not {grid_deg}°"
                )
        else:
            part = summarise(*read_points(content, str(path)), grid_deg)
        parts.append(part)
        sources.append({"file": path.name, "sha256": hashlib.sha256(content).hexdigest()})
        if progress:
            progress(done + 1, len(paths))
    arrays = [np.concatenate([getattr(p, name) for p in parts]) for name in SUMMARY_FIELDS]
    return HistorySummary(grid_deg, *arrays, sources=sources)


SUMMARY_FIELDS = ("year", "i", "j", "window", "detections", "sum_sq")


# --- the model ------------------------------------------------------------------------------------


def p_at_least(counts: NDArray, mean: NDArray, k: NDArray) -> NDArray[np.float64]:
    """P(Y ≥ count) for Y ~ NB(mean, shape k): how improbable a cell-day this busy is."""
    counts, mean, k = np.asarray(counts), np.asarray(mean, dtype=float), np.asarray(k, dtype=float)
    return nbinom.sf(counts - 1, k, k / (k + mean))


@dataclass
class Baseline:
    params: BaselineParams
    years: list[int]
    dispersion: NDArray[np.float64]  # k per window
    floor: NDArray[np.float64]  # the mean of a cell with no detections anywhere near, per window
    i: NDArray[np.int64]  # cells with a mean above the floor: (i, j, window) -> mean
    j: NDArray[np.int64]
    window: NDArray[np.int64]
    mean: NDArray[np.float64]
    sources: list[dict] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._keys = _cell_keys(self.i, self.j, self.window)
        order = np.argsort(self._keys)
        self._keys, self._means = self._keys[order], np.asarray(self.mean, dtype=float)[order]

    def expected(self, i: NDArray, j: NDArray, window: NDArray) -> tuple[NDArray, NDArray]:
        """(mean, k) of the daily count for each (cell, window)."""
        window = np.asarray(window, dtype=np.int64)
        keys = _cell_keys(np.asarray(i), np.asarray(j), window)
        at = np.searchsorted(self._keys, keys)
        at_clipped = np.minimum(at, max(len(self._keys) - 1, 0))
        hit = (at < len(self._keys)) & (self._keys[at_clipped] == keys) if len(self._keys) else at < 0
        mean = np.where(hit, self._means[at_clipped] if len(self._keys) else 0.0, self.floor[window])
        return mean, self.dispersion[window]

    @property
    def digest(self) -> str:
        """What the baseline is: parameters, inputs and every number, hashed."""
        h = hashlib.sha256(json.dumps([self.params.to_json(), self.years, self.sources]).encode())
        for array in (self.dispersion, self.floor, self._keys, self._means):
            h.update(np.ascontiguousarray(array).tobytes())
        return h.hexdigest()


def _cell_keys(i: NDArray, j: NDArray, window: NDArray) -> NDArray[np.int64]:
    # Cells are small integers (|i| < 900 at 0.1°, |j| < 1800): one int64 key per (cell, window).
    return (
        (np.asarray(i, dtype=np.int64) + 100_000) * 1_000_000 + (np.asarray(j) + 100_000)
    ) * WINDOWS + window


def _exposure(years: list[int]) -> NDArray[np.float64]:
    return np.sum([days_per_window(y) for y in years], axis=0).astype(float)


def _pooled(values: NDArray, window: NDArray, spread: int) -> list[tuple[NDArray, NDArray]]:
    """Each row counted in its own window and `spread` windows either side (the season)."""
    return [((window + shift) % WINDOWS, values) for shift in range(-spread, spread + 1)]


def fit_baseline(history: HistorySummary, years: Iterable[int], params: BaselineParams) -> Baseline:
    asked = sorted(set(years))
    # Only years the history holds count as exposure: a year absent from the archive is not a year
    # without fires.
    years = sorted(set(asked) & set(history.years))
    if not years:
        raise UserError(None, None, f"--years: the history holds none of {asked}")
    data = history.only_years(years)
    exposure = _exposure(years)
    shift = range(-params.season_windows, params.season_windows + 1)
    season_days = sum(np.roll(exposure, -s) for s in shift)  # n' per window
    # Own season totals S' and Q' per (cell, window).
    keys = np.concatenate([_cell_keys(data.i, data.j, (data.window - s) % WINDOWS) for s in shift])
    det = np.tile(data.detections.astype(float), len(shift))
    sq = np.tile(data.sum_sq.astype(float), len(shift))
    own_keys, own_s, own_q = _group_sum(keys, det, sq)
    window = own_keys % WINDOWS
    cell = own_keys // WINDOWS
    ci, cj = cell // 1_000_000 - 100_000, cell % 1_000_000 - 100_000
    dispersion = _dispersion(own_s, own_q, window, season_days)
    # Neighbourhood sums: every cell's season total spread over the (2r+1)² block around it.
    r = params.neighbourhood
    offsets = [(di, dj) for di in range(-r, r + 1) for dj in range(-r, r + 1)]
    near_keys = np.concatenate([_cell_keys(ci + di, cj + dj, window) for di, dj in offsets])
    near_keys, near_s = _group_sum(near_keys, np.tile(own_s, len(offsets)))
    at = np.searchsorted(own_keys, near_keys)
    at_clipped = np.minimum(at, len(own_keys) - 1)
    s_here = np.where(own_keys[at_clipped] == near_keys, own_s[at_clipped], 0.0)
    w = near_keys % WINDOWS
    n = season_days[w]
    neighbourhood_rate = near_s / (len(offsets) * n)
    mean = (s_here + params.prior_days * neighbourhood_rate) / (n + params.prior_days)
    floor = 0.5 / (season_days + params.prior_days)
    keep = mean > floor[w]
    cell = near_keys[keep] // WINDOWS
    return Baseline(
        params,
        years,
        dispersion,
        floor,
        cell // 1_000_000 - 100_000,
        cell % 1_000_000 - 100_000,
        w[keep],
        mean[keep],
        sources=history.sources,
    )


def _dispersion(s: NDArray, q: NDArray, window: NDArray, season_days: NDArray) -> NDArray[np.float64]:
    """Common NB shape k per window, by moments: Σ x̄² / Σ (s² − x̄) over the cells with fires."""
    n = season_days[window]
    mean = s / n
    variance = q / n - mean**2
    top = np.bincount(window, weights=mean**2, minlength=WINDOWS)
    excess = np.bincount(window, weights=variance - mean, minlength=WINDOWS)
    with np.errstate(divide="ignore", invalid="ignore"):
        k = np.where(excess > 0, top / excess, _POISSON_K)
    return np.clip(k, 0.01, _POISSON_K)
