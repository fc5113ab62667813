"""Ukraine's settlements (COD-AB, with their raion) for naming places in findings and reports.

A place is named with its raion ("Berestove, Kupianskyi raion"), because the same name recurs:
there are eight Berestoves, two of them in Kharkiv oblast. Names come in English and Ukrainian
(COD-AB's own two languages); Russian text uses the official Ukrainian spelling of a Ukrainian
place, as a map of Ukraine printed in Russian does, with the word "район".
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import lru_cache

import numpy as np
import shapely

from truce.geo.gazetteer import DATA_DIR as GAZETTEER_DIR
from truce.geo.gazetteer import get_gazetteer, haversine_km

__all__ = ["Settlement", "by_pcode", "label_all", "nearest", "nearest_many", "settlements_in"]

_RAION_WORD = {"en": "raion", "uk": "район", "ru": "район"}
_HROMADA_WORD = {"en": "hromada", "uk": "громада", "ru": "громада"}


@dataclass(frozen=True)
class Settlement:
    pcode: str
    name_en: str
    name_uk: str
    raion_en: str
    raion_uk: str
    oblast_pcode: str
    hromada_en: str
    hromada_uk: str
    lon: float
    lat: float
    population: int = 0
    raion_homonym: bool = False  # another settlement of the raion has the same name

    def name(self, lang: str = "en") -> str:
        return self.name_en if lang == "en" else self.name_uk

    def raion(self, lang: str = "en") -> str:
        base = self.raion_en if lang == "en" else self.raion_uk
        return f"{base} {_RAION_WORD.get(lang, 'raion')}" if base else ""

    def hromada(self, lang: str = "en") -> str:
        base = self.hromada_en if lang == "en" else self.hromada_uk
        return f"{base} {_HROMADA_WORD.get(lang, 'hromada')}" if base else ""

    def label(self, lang: str = "en") -> str:
        """Name and raion ("Berestove, Kupianskyi raion"), and the hromada as well when the raion
        has two places of the name."""
        parts = [self.name(lang), self.raion(lang)]
        if self.raion_homonym:
            parts.append(self.hromada(lang))
        return ", ".join(p for p in parts if p)


_CELL_DEG = 0.1  # the grid nearest() looks in: a point's cell and the eight around it


@dataclass(frozen=True)
class _Table:
    rows: tuple[Settlement, ...]
    lon: np.ndarray
    lat: np.ndarray
    index: dict[str, int]
    cells: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)  # grid cell -> row numbers

    def near(self, lon: float, lat: float, box: float) -> np.ndarray:
        """Rows within `box` degrees of the point on each axis (a 0.1° box from the nine cells
        around the point, a larger one from the whole table)."""
        if box <= _CELL_DEG and self.cells:
            rows = self.around(math.floor(lon / _CELL_DEG), math.floor(lat / _CELL_DEG))
        else:
            rows = np.arange(len(self.rows))
        keep = (np.abs(self.lon[rows] - lon) <= box) & (np.abs(self.lat[rows] - lat) <= box)
        return rows[keep]

    def around(self, cx: int, cy: int) -> np.ndarray:
        """The rows in grid cell (cx, cy) and the eight around it, in table order."""
        parts = [self.cells.get((cx + dx, cy + dy)) for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
        return np.sort(np.concatenate([p for p in parts if p is not None] or [np.empty(0, int)]))


def _grid(lon: np.ndarray, lat: np.ndarray) -> dict[tuple[int, int], np.ndarray]:
    cells: dict[tuple[int, int], list[int]] = {}
    for i, (x, y) in enumerate(zip(np.floor(lon / _CELL_DEG), np.floor(lat / _CELL_DEG), strict=True)):
        cells.setdefault((int(x), int(y)), []).append(i)
    return {k: np.array(v) for k, v in cells.items()}


@lru_cache(maxsize=1)
def _table() -> _Table:
    population = {p.pcode: p.population for p in get_gazetteer().places if p.pcode}
    rows = []
    with (GAZETTEER_DIR / "ua_settlements_codab_adm4.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            rows.append(
                Settlement(
                    pcode=r["pcode"],
                    name_en=r["name_en"],
                    name_uk=r["name_uk"],
                    raion_en=r["raion_en"],
                    raion_uk=r["raion_uk"],
                    oblast_pcode=r["oblast_pcode"],
                    hromada_en=r["hromada_en"],
                    hromada_uk=r["hromada_uk"],
                    lon=float(r["lon"]),
                    lat=float(r["lat"]),
                    population=population.get(r["pcode"], 0),
                )
            )
    per_raion = Counter((s.name_en, s.raion_en) for s in rows)
    rows = [replace(s, raion_homonym=per_raion[(s.name_en, s.raion_en)] > 1) for s in rows]
    lon, lat = np.array([s.lon for s in rows]), np.array([s.lat for s in rows])
    return _Table(tuple(rows), lon, lat, {s.pcode: i for i, s in enumerate(rows)}, _grid(lon, lat))


def by_pcode(pcode: str | None) -> Settlement | None:
    if not pcode:
        return None
    table = _table()
    i = table.index.get(pcode)
    return table.rows[i] if i is not None else None


def nearest(lon: float, lat: float, max_km: float = 5.0) -> Settlement | None:
    """The settlement nearest to a point, if one lies within max_km (else the point is 'open
    country' and naming a settlement would mislead)."""
    table = _table()
    # A 0.1° box holds every settlement within ~7 km at these latitudes; widen only if empty.
    for box in (0.1, max_km / 50):
        near = table.near(lon, lat, box)
        if len(near):
            break
    if not len(near):
        return None
    distances = [haversine_km(lat, lon, table.lat[i], table.lon[i]) for i in near]
    best = int(np.argmin(distances))
    return table.rows[near[best]] if distances[best] <= max_km else None


def nearest_many(lons: np.ndarray, lats: np.ndarray, max_km: float = 5.0) -> list[Settlement | None]:
    """nearest() of many points, with the same answers: the points of one grid cell share its
    candidates, their distances are computed together (numpy), and only the candidates within a
    millimetre of the nearest are measured again with nearest()'s own formula to pick the first."""
    table = _table()
    lons, lats = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
    found: list[Settlement | None] = [None] * len(lons)
    cells = np.stack([np.floor(lons / _CELL_DEG), np.floor(lats / _CELL_DEG)], axis=1)
    if not len(lons) or max_km / 50 > _CELL_DEG or not table.cells:
        return [nearest(x, y, max_km) for x, y in zip(lons, lats, strict=True)]
    keys, which = np.unique(cells, axis=0, return_inverse=True)
    for cell, (cx, cy) in enumerate(keys):
        points = np.flatnonzero(which.ravel() == cell)
        rows = table.around(int(cx), int(cy))
        for at, row in zip(points, _nearest_rows(table, rows, lons[points], lats[points]), strict=True):
            if row is None:  # nothing in the point's 0.1° box: nearest() widens it, or finds none
                found[at] = nearest(float(lons[at]), float(lats[at]), max_km)
            elif haversine_km(lats[at], lons[at], table.lat[row], table.lon[row]) <= max_km:
                found[at] = table.rows[row]
    return found


def _nearest_rows(table: _Table, rows: np.ndarray, lons: np.ndarray, lats: np.ndarray) -> list[int | None]:
    """For each point, the row nearest() would choose among `rows` in its 0.1° box (None if none)."""
    if not len(rows):
        return [None] * len(lons)
    x, y = table.lon[rows][None, :], table.lat[rows][None, :]
    inside = (np.abs(x - lons[:, None]) <= _CELL_DEG) & (np.abs(y - lats[:, None]) <= _CELL_DEG)
    p1, p2 = np.radians(lats)[:, None], np.radians(y)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(x - lons[:, None]) / 2) ** 2
    distance = np.where(inside, 2 * 6371.0088 * np.arcsin(np.minimum(1.0, np.sqrt(a))), np.inf)
    chosen: list[int | None] = []
    for at, near in enumerate(distance):
        closest = near.min()
        if not np.isfinite(closest):
            chosen.append(None)
            continue
        ties = rows[np.flatnonzero(near <= closest + 1e-6)]
        exact = [haversine_km(lats[at], lons[at], table.lat[i], table.lon[i]) for i in ties]
        chosen.append(int(ties[int(np.argmin(exact))]))
    return chosen


def settlements_in(area: shapely.Geometry, limit: int = 10) -> list[Settlement]:
    """Up to `limit` settlements inside `area`, the most populous first, then by name and code."""
    if area.is_empty:
        return []
    table = _table()
    x0, y0, x1, y1 = area.bounds
    box = np.flatnonzero((table.lon >= x0) & (table.lon <= x1) & (table.lat >= y0) & (table.lat <= y1))
    inside = box[shapely.intersects_xy(area, table.lon[box], table.lat[box])]
    found = sorted((table.rows[i] for i in inside), key=lambda s: (-s.population, s.name_en, s.pcode))
    return found[:limit]


def label_all(places: list[Settlement], lang: str = "en") -> list[str]:
    """Names for a list of places, each homonym told apart by its raion ("Berestove (Kupianskyi
    raion)"), and by its hromada too when the raion has two of that name; the others by name alone
    so a long list stays readable."""
    names = Counter(p.name(lang) for p in places)
    in_raion = Counter((p.name(lang), p.raion(lang)) for p in places)

    def label(p: Settlement) -> str:
        if names[p.name(lang)] == 1:
            return p.name(lang)
        if in_raion[(p.name(lang), p.raion(lang))] == 1:
            return f"{p.name(lang)} ({p.raion(lang)})"
        return f"{p.name(lang)} ({p.raion(lang)}, {p.hromada(lang)})"

    return [label(p) for p in places]
