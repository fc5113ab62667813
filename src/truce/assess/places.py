"""Named settlements inside an area: the places a rationale names when territory changes hands."""

from __future__ import annotations

import shapely

from truce.geo import settlements

__all__ = ["places_in"]


def places_in(area: shapely.Geometry, limit: int = 10) -> dict[str, list[str]]:
    """The finding fields naming up to `limit` settlements in `area`, the most populous first:
    `places` (English, homonyms told apart by raion) and `place_codes` (COD-AB pcodes, from which
    a report names them in its own language)."""
    found = settlements.settlements_in(area, limit)
    return {"places": settlements.label_all(found), "place_codes": [s.pcode for s in found]}
