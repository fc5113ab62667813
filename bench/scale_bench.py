"""A workspace of N incidents, end to end, through the commands a mission runs: ingest, assess (twice:
the second run finds the same and must publish nothing), the daily report, and `truce verify`.

Each step runs as its own `truce` process (start-up included), and beside it, in the same run, a
baseline in its own process: the least that step must do with the same data (its work timed, not its
start-up).

    ingest   truce ingest --format csv   vs  csv.reader + sqlite3 executemany into a bare table
    assess   truce assess --until ...    vs  reading the incidents' columns back (one SELECT)
    report   truce report --format json  vs  counting the day's incidents by type (one SELECT)
    verify   truce verify                vs  SHA-256 of every log entry and report piece (sqlite3)

Wall time and peak memory (max RSS) per process. Issue 15's goals: ingest memory < 1 GB and within 3x
its baseline; assess on 1M < 15 s, on 10M < 150 s and < 4 GB. The workspace is SQLite, in a temporary
folder (or --keep DIR to leave it there).

    nice -n 10 .venv/bin/python bench/scale_bench.py [--n 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ingest_bench import baseline as ingest_baseline
from ingest_bench import write_rows

REPORT_DAY = "2026-01-15"
CUT_OFF = "2026-02-01"
SNAPSHOTS = "2025-12-31..2026-02-01"


@dataclass
class Run:
    wall: float  # of the whole process (a baseline's: of its work only, printed by itself)
    rss_mb: float
    out: str


def _truce(db: Path, *args: str) -> Run:
    return _measured([str(Path(sys.executable).with_name("truce")), "--db", str(db), *args])


def _child(name: str, *args: str) -> Run:
    return _measured([sys.executable, __file__, "--child", name, *args])


def _measured(command: list[str]) -> Run:
    """Run `command` under a small wrapper process that reports the command's own wall time and peak
    memory (its only child's max RSS), so neither includes this process's."""
    done = subprocess.run([sys.executable, __file__, "--measure", *command], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    *lines, figures = done.stdout.rstrip("\n").split("\n")
    measured = json.loads(figures)
    if lines and lines[-1].startswith('{"work":'):  # a baseline's own timing of its work
        measured["wall"] = json.loads(lines.pop())["work"]
    return Run(measured["wall"], measured["rss_mb"], "\n".join(lines))


def _measure(command: list[str]) -> None:
    """(In the wrapper) run `command`, pass its output on, then print its wall time and peak RSS."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - started
    sys.stderr.write(done.stderr)
    if done.returncode:
        raise SystemExit(done.returncode)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(done.stdout.rstrip("\n"))
    print(json.dumps({"wall": wall, "rss_mb": peak}))


# --- baselines (each in its own process) ------------------------------------------------------------


def _read_columns(db: str) -> None:
    conn = sqlite3.connect(db)
    rows = conn.execute("SELECT id, type, t_start, t_end, lon, lat, actor, status FROM incidents").fetchall()
    print(len(rows))


def _count_day(db: str) -> None:
    conn = sqlite3.connect(db)
    query = "SELECT type, count(*) FROM incidents WHERE date = ? GROUP BY type"
    print(dict(conn.execute(query, (REPORT_DAY,)).fetchall()))


def _hash_store(db: str) -> None:
    conn = sqlite3.connect(db)
    count = 0
    for table, column in (("log_entries", "body"), ("report_pieces", "data"), ("reports", "content")):
        for (data,) in conn.execute(f"SELECT {column} FROM {table}"):  # noqa: S608 (fixed names)
            hashlib.sha256(data).digest()
            count += 1
    print(count)


CHILDREN = {
    "ingest": lambda csv_path, db: ingest_baseline(Path(csv_path), Path(db)),
    "assess": _read_columns,
    "report": _count_day,
    "verify": _hash_store,
}


# --- the run ----------------------------------------------------------------------------------------


def _line(step: str, ours: Run, base: Run, note: str = "") -> None:
    print(
        f"  {step:16} truce {ours.wall:8.1f} s {ours.rss_mb:7.0f} MB | baseline {base.wall:7.2f} s "
        f"{base.rss_mb:6.0f} MB | ratio {ours.wall / base.wall:6.1f}x {note}",
        flush=True,
    )


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        started = time.perf_counter()
        CHILDREN[sys.argv[2]](*sys.argv[3:])
        print(json.dumps({"work": time.perf_counter() - started}))
        return
    if sys.argv[1:2] == ["--measure"]:
        _measure(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="build the workspace in this folder and leave it there")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="truce-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        _bench(args.n, folder)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def _bench(n: int, folder: Path) -> None:
    csv_path, db, plain = folder / "incidents.csv", folder / "truce.db", folder / "baseline.db"
    started = time.perf_counter()
    write_rows(csv_path, n)
    print(
        f"{n:,} incidents: {csv_path.stat().st_size / 1e6:,.0f} MB of CSV written in "
        f"{time.perf_counter() - started:.0f} s (not timed below); workspace {db}",
        flush=True,
    )
    _truce(db, "init")
    _truce(db, "geo", "import-control", "--bundled", SNAPSHOTS)

    base = _child("ingest", str(csv_path), str(plain))
    plain.unlink()
    ours = _truce(db, "ingest", "--format", "csv", str(csv_path))
    _line("ingest", ours, base, f"({n / ours.wall:,.0f} rows/s; goals < 3x, < 1024 MB)")

    base = _child("assess", str(db))
    ours = _truce(db, "assess", "--until", CUT_OFF, "--json")
    first = json.loads(ours.out)
    _line("assess", ours, base, f"({first['findings']:,} findings; goal < {15 * n / 1e6:.0f} s)")
    again = _truce(db, "assess", "--until", CUT_OFF, "--json")
    appended = json.loads(again.out)["log_size"] - first["log_size"]
    _line("assess again", again, base, f"(nothing changed: {appended} log entries appended)")

    base = _child("report", str(db))
    ours = _truce(db, "report", "--date", REPORT_DAY, "--format", "json", "--output", str(folder / "r.json"))
    _line("daily report", ours, base)

    base = _child("verify", str(db))
    ours = _truce(db, "verify")
    _line("verify", ours, base)
    print(f"  workspace: {db.stat().st_size / 1e6:,.0f} MB", flush=True)


if __name__ == "__main__":
    main()
