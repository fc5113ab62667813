"""Ingest benchmark: 100,000 CSV rows into a fresh SQLite workspace, against a plain baseline.

The baseline is the least any CSV import can do: csv.reader plus one executemany of the same rows
into a bare table, in one transaction. The ratio is what validation, the incident model and the store
cost on top of that. Target: ingest_file under 15 s.

    .venv/bin/python bench/ingest_bench.py [ROWS]
"""

from __future__ import annotations

import csv
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from truce.intake import CSV_COLUMNS, ingest_file
from truce.store import open_workspace

TARGET_SECONDS = 15.0
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


def baseline(csv_path: Path, db_path: Path) -> tuple[float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"CREATE TABLE rows ({', '.join(f'{c} TEXT' for c in CSV_COLUMNS)})")
    with csv_path.open(newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        next(reader)
        with conn:
            conn.executemany(f"INSERT INTO rows VALUES ({', '.join('?' * len(CSV_COLUMNS))})", reader)
    conn.close()
    return time.perf_counter() - started, time.process_time() - cpu


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_path = folder / "incidents.csv"
        write_rows(csv_path, count)
        plain, plain_cpu = baseline(csv_path, folder / "baseline.db")
        workspace = open_workspace(str(folder / "truce.db"), create=True)
        started, cpu = time.perf_counter(), time.process_time()
        result = ingest_file(workspace, csv_path, "csv")
        ours, ours_cpu = time.perf_counter() - started, time.process_time() - cpu
        workspace.engine.dispose()
    assert result.incidents == count, result
    size = csv_path.stat().st_size if csv_path.exists() else 0
    print(f"rows: {count:,}" + (f" ({size / 1e6:.1f} MB)" if size else ""))
    # CPU time is printed too: on a shared machine wall time also measures the neighbours.
    print(f"baseline (csv.reader + sqlite3 executemany): {plain:6.2f} s  {count / plain:9,.0f} rows/s"
          f"  (CPU {plain_cpu:.2f} s)")
    print(f"truce ingest_file (validate + store):       {ours:6.2f} s  {count / ours:9,.0f} rows/s"
          f"  (CPU {ours_cpu:.2f} s)")
    print(f"ratio: {ours / plain:.1f}x the baseline; target < {TARGET_SECONDS:.0f} s: "
          f"{'met' if ours < TARGET_SECONDS else 'MISSED'}")


if __name__ == "__main__":
    main()
