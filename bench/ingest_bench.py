"""Ingest benchmark: N CSV rows into a fresh SQLite workspace, against a plain baseline in the same run.

The baseline is the least any CSV import can do: csv.reader plus one executemany of the same rows
into a bare table, in one transaction. The ratio is what validation, the incident model, the raw
report's pieces and the store cost on top of that. Each side runs in its own process, which reports
its wall and CPU time and its peak memory (max RSS). Goals (issue 15): time within 3x the baseline,
peak memory under 1 GB whatever the size.

    .venv/bin/python bench/ingest_bench.py [ROWS ...]      # default 100000; e.g. 100000 1000000
"""

from __future__ import annotations

import csv
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from truce.intake import CSV_COLUMNS

RATIO_GOAL = 3.0
MEMORY_GOAL_MB = 1024
_PLACES = [
    ("Pokrovsk", "Donetsk Oblast", 37.1758, 48.2826), ("Kharkiv", "Kharkiv Oblast", 36.2304, 49.9935),
    ("Nikopol", "Dnipropetrovsk Oblast", 34.3961, 47.5671), ("Kherson", "Kherson Oblast", 32.6169, 46.6354),
    ("Huliaipole", "Zaporizhzhia Oblast", 36.2558, 47.6669), ("Sumy", "Sumy Oblast", 34.7981, 50.9077),
]
_TYPES = ["shelling", "drone_strike", "missile_strike", "armed_clash", "small_arms_fire", "weapon_sighting"]


def write_rows(path: Path, count: int) -> None:
    rng = random.Random(20260105)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for n in range(count):
            name, admin1, lon, lat = rng.choice(_PLACES)
            kind = rng.choice(_TYPES)
            day = f"2026-01-{1 + n % 28:02d}"
            row = {
                "id": f"bench-{n}", "type": kind, "date": day, "date_precision": "day",
                "time": f"{day}T{n % 24:02d}:15:00+02:00" if n % 3 == 0 else "",
                "lon": f"{lon + rng.uniform(-0.05, 0.05):.5f}",
                "lat": f"{lat + rng.uniform(-0.05, 0.05):.5f}",
                "location_name": name, "country": "UA", "admin1": admin1, "precision": "settlement",
                "actor": rng.choice(["RU", "UA", ""]), "target": rng.choice(["civilian", "military", ""]),
                "weapons": "152mm howitzer;MLRS" if kind == "shelling" else "", "weapon_class": "",
                "quantity": "", "launched": str(rng.randint(1, 50)) if kind.endswith("strike") else "",
                "intercepted": "", "hit": "", "killed": str(rng.randint(0, 3)),
                "injured": str(rng.randint(0, 5)),
                "status": "reported", "claimed_by": "", "denied_by": "", "source": "bench",
                "evidence": "", "note": f"Synthetic incident {n}, for the ingest benchmark.",
            }
            writer.writerow([row[c] for c in CSV_COLUMNS])


def baseline(csv_path: Path, db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"CREATE TABLE rows ({', '.join(f'{c} TEXT' for c in CSV_COLUMNS)})")
    with csv_path.open(newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        next(reader)
        with conn:
            conn.executemany(f"INSERT INTO rows VALUES ({', '.join('?' * len(CSV_COLUMNS))})", reader)
    conn.close()


def truce_ingest(csv_path: Path, db_path: Path) -> tuple[float, float]:
    from truce.intake import ingest_file
    from truce.store import open_workspace

    workspace = open_workspace(str(db_path), create=True)
    started = time.perf_counter(), time.process_time()
    result = ingest_file(workspace, csv_path, "csv")
    workspace.engine.dispose()
    assert result.new, result
    return started


def child(side: str, csv_path: Path, db_path: Path) -> None:
    """One side in this process: prints its times and peak memory as JSON."""
    if side == "baseline":
        wall, cpu = time.perf_counter(), time.process_time()
        baseline(csv_path, db_path)
    else:
        wall, cpu = truce_ingest(csv_path, db_path)  # the workspace's creation is not timed
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    elapsed = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    print(json.dumps({**elapsed, "rss_mb": peak_kb / 1024}))


def measure(side: str, csv_path: Path, folder: Path) -> dict:
    command = [sys.executable, __file__, "--child", side, str(csv_path), str(folder / f"{side}.db")]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4]))
        return
    sizes = [int(arg) for arg in sys.argv[1:]] or [100_000]
    for count in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            csv_path = folder / "incidents.csv"
            write_rows(csv_path, count)
            size_mb = csv_path.stat().st_size / 1e6
            plain = measure("baseline", csv_path, folder)
            ours = measure("truce", csv_path, folder)
        print(f"rows: {count:,} ({size_mb:.1f} MB)")
        sides = (("baseline (csv.reader + sqlite3 executemany)", plain), ("truce ingest_file", ours))
        for label, run in sides:
            print(f"  {label:44} {run['wall']:7.2f} s  {count / run['wall']:9,.0f} rows/s  "
                  f"CPU {run['cpu']:7.2f} s  peak RSS {run['rss_mb']:6.0f} MB")
        ratio, cpu_ratio = ours["wall"] / plain["wall"], ours["cpu"] / plain["cpu"]
        print(f"  ratio: {ratio:.1f}x the baseline's wall time, {cpu_ratio:.1f}x its CPU time "
              f"(goal < {RATIO_GOAL:.0f}x: {'met' if ratio < RATIO_GOAL else 'MISSED'}); "
              f"peak RSS {ours['rss_mb']:.0f} MB vs baseline {plain['rss_mb']:.0f} MB "
              f"(goal < {MEMORY_GOAL_MB} MB: {'met' if ours['rss_mb'] < MEMORY_GOAL_MB else 'MISSED'})")


if __name__ == "__main__":
    main()
