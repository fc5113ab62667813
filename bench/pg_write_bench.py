"""The store's write throughput for re-extraction and text ingest: reports (about 1 kB of text each)
and their incidents written by truce's own functions (add_report, add_incidents), 500 reports a
transaction. SQLite with one writer is the baseline; PostgreSQL (a throw-away cluster, durable: fsync
on) with 1, 2 and 4 writer processes in parallel transactions, in the same run.

Run: python bench/pg_write_bench.py [--reports 20000] [--incidents-per-report 2] [--writers 1,2,4]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import tempfile
import time
from pathlib import Path

from truce.model import Incident
from truce.store import open_workspace
from truce.store.local_cluster import LocalCluster
from truce.store.records import add_incidents, add_report

BATCH = 500
TEXT = (
    "KRAMATORSK, Jan 12 (wire) - Russian forces shelled the outskirts of Kramatorsk overnight, regional "
    "officials said on Monday, damaging two houses and a power line; no casualties were reported. "
) * 5


def _incident(report: int, n: int) -> Incident:
    return Incident.model_validate(
        {
            "id": f"w{report:08d}-{n}",
            "type": "shelling",
            "date": "2026-01-12",
            "location": {"lon": 37.58, "lat": 48.74, "precision": "settlement", "country": "UA"},
            "actor": "RU",
            "status": "reported",
        }
    )


def write_share(db: str, first: int, last: int, per_report: int, ready: object) -> None:
    """Reports first..last-1 with their incidents, BATCH reports a transaction (one writer's share),
    once every writer has started (process start-up and imports are not timed)."""
    workspace = open_workspace(db)
    with workspace.engine.connect():
        pass
    ready.wait()
    for lo in range(first, last, BATCH):
        with workspace.engine.begin() as conn:
            for report in range(lo, min(last, lo + BATCH)):
                content = f"{report}\n{TEXT}".encode()
                report_id, _ = add_report(
                    conn, content, "text", f"bench#{report}", None, dt.date(2026, 1, 12)
                )
                add_incidents(conn, report_id, [_incident(report, n) for n in range(per_report)])
    workspace.engine.dispose()


def timed(db: str, reports: int, per_report: int, writers: int) -> float:
    """Seconds for `writers` processes to write `reports` reports between them."""
    shares = [(reports * k // writers, reports * (k + 1) // writers) for k in range(writers)]
    context = multiprocessing.get_context("spawn")
    ready = context.Barrier(writers + 1)
    processes = [
        context.Process(target=write_share, args=(db, first, last, per_report, ready))
        for first, last in shares
    ]
    for process in processes:
        process.start()
    ready.wait()
    start = time.perf_counter()
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise SystemExit(f"a writer failed (exit {process.exitcode})")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--incidents-per-report", type=int, default=2)
    parser.add_argument("--writers", default="1,2,4")
    args = parser.parse_args()
    per = args.incidents_per_report
    rows = args.reports * (1 + per)
    print(
        f"{args.reports:,} reports with {per} incidents each ({rows:,} rows), {BATCH} reports a transaction"
    )
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        open_workspace(db, create=True).engine.dispose()
        base = timed(db, args.reports, per, 1)
        rate = f"{args.reports / base:8,.0f} reports/s  {rows / base:8,.0f} rows/s"
        print(f"  SQLite, 1 writer              {rate}  1.00x")
    with LocalCluster(durable=True) as cluster:
        for writers in (int(w) for w in args.writers.split(",")):
            url = cluster.create_database(f"bench{writers}")
            open_workspace(url, create=True).engine.dispose()
            seconds = timed(url, args.reports, per, writers)
            print(
                f"  PostgreSQL, {writers} writer(s)        {args.reports / seconds:8,.0f} reports/s  "
                f"{rows / seconds:8,.0f} rows/s  {base / seconds:.2f}x"
            )


if __name__ == "__main__":
    main()
