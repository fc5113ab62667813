"""Clustering benchmark: 200,000 synthetic incidents in under 60 s, against comparing every pair.

The data imitate a year of open-source reporting: ~90,000 events at 3,000 places (most near the
front), each told by 1-6 reports that differ as syndicated copies do (coordinates off by up to a
kilometre, a coarser place or date, the actor or weapon left out). Every incident id carries its
true event, so the run also prints pairwise precision and recall against the truth.

Baseline, measured in the same run: the same clustering with blocking=False (every pair compared)
on a 5,000-incident subset, extrapolated to 200,000 by n² (it compares n(n-1)/2 pairs). The subset
is also clustered with blocking, and the two results must be identical.

    .venv/bin/python bench/cluster_bench.py [--n 200000] [--subset 5000] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections import Counter
from datetime import date, datetime, timedelta

from truce.geo.admin import oblasts_of
from truce.model import KYIV, Incident
from truce.verify.clustering import cluster_incidents

TYPES = ["shelling"] * 5 + ["drone_strike"] * 3 + ["missile_strike", "air_strike", "armed_clash"] * 1
START = date(2025, 1, 1)


def places(rng: random.Random, count: int) -> list[tuple[float, float, str | None]]:
    """Settlements: 70 % in a band along the front (Kharkiv to Kherson), the rest anywhere."""
    points = []
    for n in range(count):
        if n % 10 < 7:
            t = rng.random()  # along the line, north-east to south-west
            lat = 50.0 - 3.4 * t + rng.gauss(0, 0.15)
            lon = 37.9 - 5.0 * t + rng.gauss(0, 0.25)
        else:
            lat, lon = rng.uniform(46.3, 51.5), rng.uniform(23.5, 39.5)
        points.append((round(lat, 5), round(lon, 5)))
    isos = oblasts_of([p[1] for p in points], [p[0] for p in points])
    return [(lat, lon, iso) for (lat, lon), iso in zip(points, isos, strict=True)]


def make_incidents(n: int, seed: int) -> list[Incident]:
    rng = random.Random(seed)
    sites = places(rng, 3000)
    out: list[Incident] = []
    event = 0
    while len(out) < n:
        lat, lon, iso = rng.choice(sites)
        day = START + timedelta(days=rng.randrange(365))
        kind, actor = rng.choice(TYPES), rng.choice(["RU", "RU", "RU", "UA"])
        hour = rng.randrange(24) if rng.random() < 0.15 else None
        copies = rng.choices([1, 2, 3, 4, 6], weights=[45, 25, 15, 10, 5])[0]
        for copy in range(min(copies, n - len(out))):
            out.append(report_of(rng, event, copy, day, hour, kind, actor, lat, lon, iso))
        event += 1
    return out


def report_of(
    rng: random.Random,
    event: int,
    copy: int,
    day: date,
    hour: int | None,
    kind: str,
    actor: str,
    lat: float,
    lon: float,
    iso: str | None,
) -> Incident:
    """One report's version of an event: the first is precise, later ones vary like copies do."""
    roll = rng.random() if copy else 1.0
    location: dict = {"name": f"place-{lat:.3f}-{lon:.3f}", "country": "UA", "admin1": iso}
    if roll < 0.06 and iso:
        location["precision"] = "oblast"
    elif roll < 0.08:
        location["precision"] = "country"
        location["admin1"] = None
    elif roll < 0.09:
        location = {"precision": "unknown"}
    else:
        jitter = 0.009 if copy else 0.0  # about a kilometre
        location |= {
            "precision": "settlement",
            "lat": lat + rng.uniform(-jitter, jitter),
            "lon": lon + rng.uniform(-jitter, jitter),
        }
    extra: dict = {}
    if hour is not None and rng.random() < 0.7:
        extra["time"] = datetime(day.year, day.month, day.day, hour, rng.randrange(0, 50), tzinfo=KYIV)
    precision = "week" if copy and rng.random() < 0.04 else "day"
    return Incident.model_validate(
        {
            "id": f"e{event}-{copy}",
            "type": "explosion" if copy and rng.random() < 0.05 else kind,
            "date": day,
            "date_precision": precision,
            "location": location,
            "actor": None if copy and rng.random() < 0.1 else actor,
            "report_id": f"r{event}-{copy}",
            **extra,
        }
    )


def pairwise_quality(clusters: list, items: list[Incident]) -> tuple[float, float]:
    """Precision and recall over same-event pairs (true event = id before the dash)."""
    truth = Counter(i.id.split("-")[0] for i in items)
    true_pairs = sum(c * (c - 1) // 2 for c in truth.values())
    found = correct = 0
    for cluster in clusters:
        size = len(cluster.members)
        found += size * (size - 1) // 2
        correct += sum(
            c * (c - 1) // 2 for c in Counter(m.id.split("-")[0] for m in cluster.members).values()
        )
    return (correct / found if found else 1.0), (correct / true_pairs if true_pairs else 1.0)


def timed(label: str, work):  # noqa: ANN001, ANN202
    start = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - start
    print(f"  {label:<46} {seconds:8.2f} s", flush=True)
    return result, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--subset", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    print(f"cluster_bench: {args.n:,} incidents, baseline subset {args.subset:,}, seed {args.seed}")
    items, _ = timed("generate incidents (not timed below)", lambda: make_incidents(args.n, args.seed))
    clusters, blocked = timed(f"cluster {len(items):,} with blocking", lambda: cluster_incidents(items))
    precision, recall = pairwise_quality(clusters, items)
    multi = sum(1 for c in clusters if len(c.members) > 1)
    ambiguous = sum(1 for c in clusters if c.notes)

    subset = random.Random(args.seed).sample(items, args.subset)
    naive_clusters, naive = timed(
        f"cluster {args.subset:,} comparing every pair", lambda: cluster_incidents(subset, blocking=False)
    )
    small_clusters, small = timed(f"cluster {args.subset:,} with blocking", lambda: cluster_incidents(subset))
    same = [c.id for c in naive_clusters] == [c.id for c in small_clusters]
    extrapolated = naive * (args.n / args.subset) ** 2
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print()
    print(f"incidents                 {len(items):>12,}")
    print(
        f"clusters                  {len(clusters):>12,}  ({multi:,} with 2+ reports,"
        f" {ambiguous:,} left apart as ambiguous)"
    )
    print(f"pairwise precision/recall {precision:>12.4f} / {recall:.4f}  (against the generated events)")
    print(f"blocked, {args.n:,}        {blocked:>12.2f} s  ({len(items) / blocked:,.0f} incidents/s)")
    print(
        f"every pair, {args.subset:,}        {naive:>12.2f} s  -> {extrapolated:,.0f} s extrapolated to"
        f" {args.n:,} (x n²)"
    )
    print(f"blocked, {args.subset:,}           {small:>12.2f} s  (same clusters as every pair: {same})")
    print(
        f"speed-up at {args.n:,}     {extrapolated / blocked:>12,.0f} x  (extrapolated every-pair / blocked)"
    )
    print(f"peak memory               {peak_mb:>12,.0f} MB")
    ok = same and blocked < 60
    print("PASS" if ok else "FAIL", "(blocked run under 60 s and identical to every-pair on the subset)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
