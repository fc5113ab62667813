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

    nice -n 10 .venv/bin/python bench/scale_bench.py [--n 1000000] [--keep DIR] [--steps ingest,assess]
        [--step-timeout SECONDS]

--steps runs some steps only (without ingest, on the workspace --keep DIR holds), so a long run can
be split; a CSV of N rows already in DIR is used as it is. A step still running at --step-timeout
is stopped and said so, with the last line it wrote.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
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
    stopped: str | None = None  # the step ran out of time: the last it wrote to stderr


STEP_SECONDS: float | None = None  # --step-timeout: a step still running then is stopped


def _truce(db: Path, *args: str) -> Run:
    return _measured([str(Path(sys.executable).with_name("truce")), "--db", str(db), *args])


def _child(name: str, *args: str) -> Run:
    return _measured([sys.executable, __file__, "--child", name, *args])


def _measured(command: list[str]) -> Run:
    """Run `command` under a small wrapper process that reports the command's own wall time and peak
    memory (its only child's max RSS), so neither includes this process's."""
    timeout = "0" if STEP_SECONDS is None else str(STEP_SECONDS)
    done = subprocess.run(
        [sys.executable, __file__, "--measure", timeout, *command], capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    *lines, figures = done.stdout.rstrip("\n").split("\n")
    measured = json.loads(figures)
    if lines and lines[-1].startswith('{"work":'):  # a baseline's own timing of its work
        measured["wall"] = json.loads(lines.pop())["work"]
    return Run(measured["wall"], measured["rss_mb"], "\n".join(lines), measured.get("stopped"))


def _measure(timeout: str, command: list[str]) -> None:
    """(In the wrapper) run `command`, pass its output on, then print its wall time and peak RSS;
    a command still running after `timeout` seconds (0: none) is killed, and said so."""
    started, stopped = time.perf_counter(), None
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=float(timeout) or None)
        out, err, code = done.stdout, done.stderr, done.returncode
    except subprocess.TimeoutExpired as expired:
        out, err, code = _text(expired.stdout), _text(expired.stderr), 0
        stopped = err.replace("\r", "\n").strip().splitlines()[-1:] or ["(nothing on stderr)"]
        stopped = stopped[0][-300:]
    wall = time.perf_counter() - started
    sys.stderr.write(err)
    if code:
        raise SystemExit(code)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(out.rstrip("\n"))
    print(json.dumps({"wall": wall, "rss_mb": peak, "stopped": stopped}))


def _text(data: bytes | str | None) -> str:
    return data.decode(errors="replace") if isinstance(data, bytes) else data or ""


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
    if ours.stopped:
        note = f"STOPPED at the step timeout; it was at: {ours.stopped}"
    print(
        f"  {step:16} truce {ours.wall:8.1f} s {ours.rss_mb:7.0f} MB | baseline {base.wall:7.2f} s "
        f"{base.rss_mb:6.0f} MB | ratio {ours.wall / base.wall:6.1f}x {note}",
        flush=True,
    )


def main() -> None:
    global STEP_SECONDS
    if sys.argv[1:2] == ["--child"]:
        started = time.perf_counter()
        CHILDREN[sys.argv[2]](*sys.argv[3:])
        print(json.dumps({"work": time.perf_counter() - started}))
        return
    if sys.argv[1:2] == ["--measure"]:
        _measure(sys.argv[2], sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="build the workspace in this folder and leave it there")
    parser.add_argument(
        "--steps",
        default=",".join(STEPS),
        help=f"comma-separated, of {','.join(STEPS)}; without ingest, --keep DIR's workspace is used",
    )
    parser.add_argument("--step-timeout", type=float, help="stop a step still running after this many s")
    parser.add_argument(
        "--until",
        default=CUT_OFF,
        help=f"assess's cut-off (default {CUT_OFF}: every incident); earlier: fewer",
    )
    parser.add_argument(
        "--once",
        action="store_true",
        help="assess once, without the second (nothing changed) run: at 10M the pair outlasts the time",
    )
    args = parser.parse_args()
    steps = args.steps.split(",")
    if set(steps) - set(STEPS) or ("ingest" not in steps and args.keep is None):
        parser.error(f"--steps: of {','.join(STEPS)}; without ingest, --keep names the workspace's folder")
    STEP_SECONDS = args.step_timeout
    folder = args.keep or Path(tempfile.mkdtemp(prefix="truce-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        _bench(args.n, folder, steps, args.until, again=not args.once)
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


STEPS = ("ingest", "assess", "report", "verify")


def _bench(n: int, folder: Path, steps: list[str], until: str, again: bool = True) -> None:
    csv_path, db, plain = folder / "incidents.csv", folder / "truce.db", folder / "baseline.db"
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)
    if "ingest" in steps:
        _ingest(n, folder, csv_path, db, plain)
    if "assess" in steps:
        base = _child("assess", str(db))
        ours = _truce(db, "assess", "--until", until, "--json")
        if ours.stopped:
            _line("assess", ours, base)
        else:
            first = json.loads(ours.out)
            _line("assess", ours, base, f"({first['findings']:,} findings; goal < {15 * n / 1e6:.0f} s)")
        if not ours.stopped and again:
            second = _truce(db, "assess", "--until", until, "--json")
            appended = None if second.stopped else json.loads(second.out)["log_size"] - first["log_size"]
            _line("assess again", second, base, f"(nothing changed: {appended} log entries appended)")
    if "report" in steps:
        base = _child("report", str(db))
        out = str(folder / "r.json")
        ours = _truce(db, "report", "--date", REPORT_DAY, "--format", "json", "--output", out)
        _line("daily report", ours, base)
    if "verify" in steps:
        base = _child("verify", str(db))
        ours = _truce(db, "verify")
        _line("verify", ours, base)
    print(f"  workspace: {db.stat().st_size / 1e6:,.0f} MB", flush=True)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)


def _ingest(n: int, folder: Path, csv_path: Path, db: Path, plain: Path) -> None:
    """A CSV of n rows (one already in the folder with n rows is used as it is), then ingest."""
    started = time.perf_counter()
    if not csv_path.exists() or _rows(csv_path) != n:
        write_rows(csv_path, n)
    print(
        f"{n:,} incidents: {csv_path.stat().st_size / 1e6:,.0f} MB of CSV ready in "
        f"{time.perf_counter() - started:.0f} s (not timed below); workspace {db}",
        flush=True,
    )
    db.unlink(missing_ok=True)
    _truce(db, "init")
    _truce(db, "geo", "import-control", "--bundled", SNAPSHOTS)
    base = _child("ingest", str(csv_path), str(plain))
    plain.unlink()
    ours = _truce(db, "ingest", "--format", "csv", str(csv_path))
    _line("ingest", ours, base, f"({n / ours.wall:,.0f} rows/s; goals < 3x, < 1024 MB)")


def _rows(csv_path: Path) -> int:
    with csv_path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b"")) - 1


if __name__ == "__main__":
    main()
