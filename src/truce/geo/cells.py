"""Point-in-area answers for millions of points: a grid over the areas whose cells no area's edge
crosses take the answer of their centre, so only the points in cells an edge crosses are tested
exactly. The answers are the exact test's, point for point: a cell no edge touches lies wholly
inside the same areas as its centre (its box is widened by a hair, so rounding a point into a
neighbouring cell cannot move it across an edge)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

__all__ = ["CellIndex", "inside_area"]

_HAIR = 1e-7  # degrees a cell's box is widened by, far above float rounding at these magnitudes
_SEGMENT = 32  # edge vertices per indexed piece: small pieces, so a box meets few of them


class CellIndex:
    """`exact(lons, lats)` answered through a grid of `cell`-degree squares over `areas`."""

    def __init__(
        self,
        areas: Sequence[shapely.Geometry],
        exact: Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray],
        cell: float = 0.05,
    ) -> None:
        self._exact, self._cell = exact, cell
        self._x0, self._y0, x1, y1 = shapely.total_bounds(np.asarray(areas, dtype=object))
        self._nx = max(1, int(np.ceil((x1 - self._x0) / cell)))
        self._ny = max(1, int(np.ceil((y1 - self._y0) / cell)))
        ix, iy = (a.ravel() for a in np.meshgrid(np.arange(self._nx), np.arange(self._ny), indexing="ij"))
        west, south = self._x0 + ix * cell, self._y0 + iy * cell
        boxes = shapely.box(west - _HAIR, south - _HAIR, west + cell + _HAIR, south + cell + _HAIR)
        crossed, _ = shapely.STRtree(_edge_pieces(areas)).query(boxes, predicate="intersects")
        self._crossed = np.zeros(len(boxes), dtype=bool)
        self._crossed[crossed] = True
        self._answer = exact(west + cell / 2, south + cell / 2)

    def __call__(self, lons: ArrayLike, lats: ArrayLike) -> NDArray:
        lons, lats = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
        cx = np.floor((lons - self._x0) / self._cell)
        cy = np.floor((lats - self._y0) / self._cell)
        on_grid = (cx >= 0) & (cx < self._nx) & (cy >= 0) & (cy < self._ny)
        cells = np.where(on_grid, cx * self._ny + cy, 0).astype(np.int64)
        answer = self._answer[cells]
        tested = ~on_grid | self._crossed[cells]
        if tested.any():
            answer[tested] = self._exact(lons[tested], lats[tested])
        return answer


def _edge_pieces(areas: Sequence[shapely.Geometry]) -> list[shapely.Geometry]:
    """Every area's boundary cut into short lines (an index over them finds the crossed cells fast)."""
    pieces = []
    for line in shapely.get_parts(shapely.boundary(np.asarray(areas, dtype=object))):
        for ring in shapely.get_parts(line):
            coords = shapely.get_coordinates(ring)
            pieces += [
                shapely.linestrings(coords[at : at + _SEGMENT + 1])
                for at in range(0, max(len(coords) - 1, 1), _SEGMENT)
                if len(coords[at : at + _SEGMENT + 1]) >= 2
            ]
    return pieces


def inside_area(area: shapely.Geometry, lons: ArrayLike, lats: ArrayLike) -> NDArray[np.bool_]:
    """shapely.intersects_xy(area, lons, lats) through a grid kept for the area (a zone, say)."""
    return np.asarray(_area_cells(shapely.to_wkb(area))(lons, lats), dtype=bool)


@lru_cache(maxsize=32)  # the zones of an agreement's versions and rulings
def _area_cells(wkb: bytes) -> CellIndex:
    area = shapely.from_wkb(wkb)
    shapely.prepare(area)
    return CellIndex([area], lambda lons, lats: shapely.intersects_xy(area, lons, lats), cell=0.02)
