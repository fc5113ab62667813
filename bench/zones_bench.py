"""Point-in-zone throughput: truce.geo.zones.points_in_zones against bare shapely.contains_xy.

1,000,000 random points over eastern Ukraine; zones built from the bundled 2026-01-01 snapshot:
one-sided buffers of the contact line at 5, 10 and 40 km on both sides clipped to Donetsk oblast,
and a 30 km circle round the Zaporizhzhia NPP. The baseline calls shapely.contains_xy on the same
prepared geometries for every point (no bounding-box prefilter). Target: ours <= 1.5x baseline.

Run: .venv/bin/python bench/zones_bench.py [n_points]
"""

from __future__ import annotations

import sys
import time

import numpy as np
import shapely

from truce.geo.contactline import contact_line
from truce.geo.control import controlled_area, load_bundled
from truce.geo.zones import Zone, circle, distance_to_line_km, one_sided_buffer, points_in_zones

ZNPP = (34.5844, 47.5083)
EAST = (33.0, 46.0, 40.5, 50.5)  # lon/lat box: Dnipro river to the Russian border
REPEATS = 5


def build_zones() -> tuple[list[Zone], shapely.Geometry, float]:
    start = time.perf_counter()
    snapshot = load_bundled("2026-01-01")
    line = contact_line(snapshot)
    zones = []
    for party in ("UA", "RU"):
        side = controlled_area(snapshot, party)
        for km in (5, 10, 40):
            geometry = one_sided_buffer(line, side, km, clip="Donetsk")
            name = f"{km} km on {party} side, Donetsk"
            zones.append(Zone(f"{party.lower()}-{km}km", name, geometry, party))
    zones.append(Zone("znpp-30km", "30 km round the Zaporizhzhia NPP", circle(*ZNPP, 30), None))
    return zones, line, time.perf_counter() - start


def baseline(zones: list[Zone], lons: np.ndarray, lats: np.ndarray) -> dict[str, np.ndarray]:
    return {z.id: shapely.contains_xy(z.prepared, lons, lats) for z in zones}


def best_of(fn, *args) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rng = np.random.default_rng(20260101)
    lons = rng.uniform(EAST[0], EAST[2], n)
    lats = rng.uniform(EAST[1], EAST[3], n)
    zones, line, build_s = build_zones()
    print(f"zones built in {build_s:.2f} s (cold: load snapshot, derive line, buffer, clip)")
    for z in zones:
        print(f"  {z.id:10s} {z.area_km2:9.1f} km²  {shapely.get_num_coordinates(z.geometry):6d} vertices")

    t_base, base = best_of(baseline, zones, lons, lats)
    t_ours, ours = best_of(points_in_zones, zones, lons, lats)
    for z in zones:
        assert np.array_equal(base[z.id], ours[z.id]), z.id
    inside = np.zeros(n, dtype=bool)
    for mask in ours.values():
        inside |= mask
    print(f"{n:,} points x {len(zones)} zones, best of {REPEATS}; {int(inside.sum()):,} points in some zone")
    print(f"baseline contains_xy (no prefilter): {t_base * 1000:8.1f} ms")
    print(f"points_in_zones (bbox prefilter):    {t_ours * 1000:8.1f} ms")
    print(f"ratio ours/baseline: {t_ours / t_base:.2f}x (target <= 1.5x)")

    idx = np.flatnonzero(inside)
    t_dist, dist = best_of(distance_to_line_km, line, lons[idx], lats[idx])
    print(f"distance_to_line_km for the {idx.size:,} points inside zones: {t_dist * 1000:.1f} ms"
          f" ({t_dist / max(idx.size, 1) * 1e6:.1f} µs/point); max {float(np.max(dist)):.1f} km")


if __name__ == "__main__":
    main()
