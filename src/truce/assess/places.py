"""Named settlements inside an area: the places a rationale names when territory changes hands."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely

from truce.geo.gazetteer import get_gazetteer
from truce.model import LocationPrecision

__all__ = ["settlements_in"]


@lru_cache(maxsize=1)
def _ukrainian_settlements() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    places = [
        p
        for p in get_gazetteer().places
        if p.country == "UA" and p.precision is LocationPrecision.settlement and p.lon is not None
    ]
    return (
        np.array([p.name for p in places], dtype=object),
        np.array([p.lon for p in places]),
        np.array([p.lat for p in places]),
        np.array([p.population for p in places]),
    )


def settlements_in(area: shapely.Geometry, limit: int = 10) -> list[str]:
    """Up to `limit` settlements inside `area`, the most populous first, then by name."""
    if area.is_empty:
        return []
    names, lons, lats, population = _ukrainian_settlements()
    x0, y0, x1, y1 = area.bounds
    near = np.flatnonzero((lons >= x0) & (lons <= x1) & (lats >= y0) & (lats <= y1))
    inside = near[shapely.intersects_xy(area, lons[near], lats[near])]
    order = sorted(inside, key=lambda i: (-population[i], names[i]))
    return [str(names[i]) for i in order[:limit]]
