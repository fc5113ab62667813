"""The grid the baseline is learned on: square cells of `res` degrees and half-month seasons.

A cell is (i, j) = (floor(lat / res), floor(lon / res)); a season window is the half-month of the
year (0 = 1–15 January … 23 = 16–31 December), so leap years need no special case."""

from __future__ import annotations

import datetime as dt

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["WINDOWS", "cell_centre", "cell_index", "days_per_window", "window_of", "windows_of"]

WINDOWS = 24
_EPS = 1e-9  # a point exactly on a cell edge belongs to the cell above/right of it, whatever the float


def cell_index(lats: ArrayLike, lons: ArrayLike, res: float) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    lat, lon = np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)
    return np.floor(lat / res + _EPS).astype(np.int64), np.floor(lon / res + _EPS).astype(np.int64)


def cell_centre(i: ArrayLike, j: ArrayLike, res: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(lat, lon) of cell centres."""
    return (np.asarray(i) + 0.5) * res, (np.asarray(j) + 0.5) * res


def window_of(day: dt.date) -> int:
    return (day.month - 1) * 2 + (day.day > 15)


def windows_of(ordinals: ArrayLike) -> NDArray[np.int64]:
    """Half-month windows of dates given as proleptic ordinals (date.toordinal())."""
    days = np.asarray(ordinals, dtype=np.int64)
    # datetime64 counts from 1970-01-01 = ordinal 719163.
    stamps = (days - 719163).astype("datetime64[D]")
    months = stamps.astype("datetime64[M]")
    month = months.astype(np.int64) % 12
    day_of_month = (stamps - months).astype(np.int64) + 1
    return month * 2 + (day_of_month > 15)


def days_per_window(year: int) -> NDArray[np.int64]:
    """How many calendar days each window has in `year` (February's second half is 13 or 14)."""
    start = dt.date(year, 1, 1).toordinal()
    ordinals = np.arange(start, dt.date(year + 1, 1, 1).toordinal())
    return np.bincount(windows_of(ordinals), minlength=WINDOWS)
