"""Assessment at scale: the spatial kernel against a bare shapely baseline, and `truce assess` end to end.

    python bench/assess_bench.py [--n 1000000]

1. Kernel: which zones of the reference agreement each of N point incidents falls in
   (truce.geo.zones.points_in_zones) against the bare vectorised baseline (shapely.contains_xy on the
   same prepared geometries), measured in the same run.
2. End to end: N incidents stored in a SQLite workspace, then the whole assessment (every provision,
   findings written), with incidents/s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy import insert

from truce.agreement.bundled import bundled_agreement_path
from truce.agreement.loader import load_agreement
from truce.agreement.resolve import resolve
from truce.assess.run import assess_workspace
from truce.assess.snapshots import save_snapshot
from truce.assess.zones import agreement_zones
from truce.geo.control import bundled_snapshots, load_bundled
from truce.geo.zones import points_in_zones
from truce.model import KYIV
from truce.store import open_workspace
from truce.store.records import add_report
from truce.store.schema import incidents

TYPES = np.array(
    [
        "shelling",
        "drone_strike",
        "missile_strike",
        "armed_clash",
        "weapon_sighting",
        "troop_presence",
        "movement",
        "explosion",
        "small_arms_fire",
        "interception",
    ],
    dtype=object,
)
CLASSES = np.array(["", "", "artillery_ge_100mm", "tanks", "mlrs", ""], dtype=object)


def random_points(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Points over the east and south of Ukraine, where the zones are."""
    return rng.uniform(33.0, 40.0, n), rng.uniform(46.3, 50.5, n)


def bench_kernel(n: int, rng: np.random.Generator) -> None:
    agreement = resolve(load_agreement(bundled_agreement_path("ukraine-framework-2025")), {})
    zones = [rz.zone for rz in agreement_zones(agreement, lambda d: load_bundled(d, on_or_before=True))]
    lons, lats = random_points(n, rng)
    points_in_zones(zones, lons[:1000], lats[:1000])  # warm caches
    t0 = time.perf_counter()
    ours = points_in_zones(zones, lons, lats)
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    base = {z.id: shapely.contains_xy(z.prepared, lons, lats) for z in zones}
    t_base = time.perf_counter() - t0
    assert all((ours[k] == base[k]).all() for k in base), "kernel and baseline disagree"
    inside = sum(int(m.sum()) for m in ours.values())
    print(
        f"kernel: {n:,} points x {len(zones)} zones: truce {t_ours:.3f} s, bare contains_xy {t_base:.3f} s, "
        f"ratio {t_ours / t_base:.2f} (target <= 1.5); {inside:,} point-in-zone hits"
    )


def store_incidents(workspace: object, n: int, rng: np.random.Generator) -> None:
    lons, lats = random_points(n, rng)
    start = int(dt.datetime(2025, 12, 20, tzinfo=KYIV).timestamp())
    t0s = start + rng.integers(0, 40 * 86400, n)
    types = TYPES[rng.integers(0, len(TYPES), n)]
    classes = CLASSES[rng.integers(0, len(CLASSES), n)]
    actors = np.array(["RU", "UA", ""], dtype=object)[rng.integers(0, 3, n)]
    statuses = np.array(["reported", "confirmed", "claimed", "fabricated"], dtype=object)[
        rng.integers(0, 4, n)
    ]
    with workspace.engine.begin() as conn:
        report_id, _ = add_report(conn, b"synthetic benchmark incidents", "bench", "bench")
        chunk = 100_000
        for lo in range(0, n, chunk):
            rows = []
            for i in range(lo, min(n, lo + chunk)):
                day = dt.datetime.fromtimestamp(int(t0s[i]), KYIV).date()
                body = {
                    "id": f"b{i:07d}",
                    "type": types[i],
                    "date": day.isoformat(),
                    "actor": actors[i] or None,
                    "location": {"lon": float(lons[i]), "lat": float(lats[i]), "precision": "exact"},
                    "status": statuses[i],
                    "weapon_class": classes[i] or None,
                }
                rows.append(
                    {
                        "id": body["id"],
                        "report_id": report_id,
                        "type": types[i],
                        "date": day,
                        "date_precision": "day",
                        "t_start": int(t0s[i]),
                        "t_end": int(t0s[i]) + 1,
                        "lon": float(lons[i]),
                        "lat": float(lats[i]),
                        "precision": "exact",
                        "country": "UA",
                        "admin1": None,
                        "actor": actors[i] or None,
                        "status": statuses[i],
                        "weapon_class": classes[i] or None,
                        "body": json.dumps(body),
                    }
                )
            conn.execute(insert(incidents), rows)


def bench_end_to_end(n: int, rng: np.random.Generator) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        workspace = open_workspace(str(Path(tmp) / "bench.db"), create=True)
        with workspace.engine.begin() as conn:
            for day in bundled_snapshots():
                if day >= dt.date(2025, 12, 31):
                    save_snapshot(conn, load_bundled(day))
        t0 = time.perf_counter()
        store_incidents(workspace, n, rng)
        print(
            f"setup: stored {n:,} synthetic incidents in {time.perf_counter() - t0:.1f} s (not timed below)"
        )
        t0 = time.perf_counter()
        result = assess_workspace(
            workspace,
            bundled_agreement_path("ukraine-framework-2025"),
            cut_off=dt.datetime(2026, 2, 1, tzinfo=KYIV),
        )
        elapsed = time.perf_counter() - t0
        print(
            f"assess end to end: {n:,} incidents in {elapsed:.1f} s = {n / elapsed:,.0f} incidents/s, "
            f"{len(result.findings):,} findings written (target < 60 s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    bench_kernel(args.n, rng)
    bench_end_to_end(args.n, rng)


if __name__ == "__main__":
    main()
