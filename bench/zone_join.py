"""The point-in-zone join of `truce assess`: PostGIS (PostgreSQL) against shapely in memory (the
baseline, measured in the same run on the same points), for the framework's zones drawn on the
bundled control map. Both must select the same incidents.

Run: python bench/zone_join.py [--points 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import statistics
import sys
import time

import numpy as np
import shapely

from truce.agreement.bundled import bundled_agreement_path
from truce.agreement.loader import load_agreement
from truce.agreement.resolve import resolve
from truce.assess.evidence import load_evidence
from truce.assess.zone_join import zone_join_in_memory, zone_join_in_postgis
from truce.assess.zones import agreement_zones
from truce.geo.control import load_bundled
from truce.store import open_workspace
from truce.store.local_cluster import LocalCluster

COLUMNS = "id, report_id, type, date, date_precision, t_start, t_end, precision, status, body, lon, lat"


def _snapshot_on(day: dt.date):  # noqa: ANN202
    try:
        return load_bundled(day, on_or_before=True)
    except LookupError:
        return None


def _fill(url: str, points: int, bounds: tuple[float, ...]) -> None:
    """`points` incidents spread uniformly over the zones' bounding box (COPY: seconds, not minutes)."""
    import psycopg

    west, south, east, north = bounds
    rng = np.random.default_rng(16)
    lons, lats = rng.uniform(west, east, points), rng.uniform(south, north, points)
    rows = io.StringIO()
    for n, (lon, lat) in enumerate(zip(lons.tolist(), lats.tolist(), strict=True)):
        rows.write(f"z{n:07d}\tr\tmovement\t2026-01-05\tday\t0\t1\texact\treported\t{{}}\t{lon!r}\t{lat!r}\n")
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as conn:
        conn.execute("insert into sources (id, name, created_at) values ('s', 'S', 'now')")
        conn.execute(
            "insert into reports (id, sha256, format, received_at, size, content) "
            "values ('r', 'x', 'jsonl', 'now', 0, '')"
        )
        with conn.cursor().copy(f"COPY incidents ({COLUMNS}) FROM STDIN") as copy:
            copy.write(rows.getvalue())
        conn.execute("ANALYZE incidents")


def _timed(run, repeat: int) -> tuple[float, object]:  # noqa: ANN001
    seconds, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    agreement = resolve(load_agreement(bundled_agreement_path("ukraine-framework-2025")), {})
    zones = [rz.zone for rz in agreement_zones(agreement, _snapshot_on)]
    bounds = tuple(float(b) for b in shapely.total_bounds([z.geometry for z in zones]))
    with LocalCluster() as cluster:
        url = cluster.create_database("zone_join")
        workspace = open_workspace(url, create=True)
        started = time.perf_counter()
        _fill(url, args.points, bounds)
        stored_s = time.perf_counter() - started
        print(f"{args.points:,} incidents over the {len(zones)} zones' box, stored in {stored_s:.1f} s")
        with workspace.engine.connect() as conn:
            evidence = load_evidence(conn)
            memory_s, in_memory = _timed(lambda: zone_join_in_memory(zones, evidence), args.repeat)
            postgis_s, by_postgis = _timed(lambda: zone_join_in_postgis(conn)(zones, evidence), args.repeat)
        workspace.engine.dispose()
    inside = {zone.id: int(in_memory[zone.id].sum()) for zone in zones}
    same = all(np.array_equal(in_memory[z.id], by_postgis[z.id]) for z in zones)
    print(f"inside each zone: {inside}")
    print(f"shapely in memory (baseline): {memory_s * 1000:.0f} ms (median of {args.repeat})")
    print(f"PostGIS ST_Contains on the GiST index: {postgis_s * 1000:.0f} ms (x{postgis_s / memory_s:.2f})")
    print(f"the same incidents in every zone: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
