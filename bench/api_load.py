"""Load and crash test of the HTTP API on loopback, against a real `truce serve` subprocess.

1. Builds the demo workspace in a temp dir, publishes it to the log, makes API users.
2. Baseline: one client, the same request mix, a few seconds (latency with no contention).
3. Load: --clients concurrent clients (default 50) for --seconds (default 60), mixing reads (lists,
   one incident, OGC items, the log head) with report submissions (each unique). Reports p50/p99
   latency per kind of request and overall, throughput and errors, with the baseline ratio.
   Then checks that every acknowledged submission (a 201 receipt) is in the store, with its incidents.
4. Crash: a new server on the same workspace, --clients writers, SIGKILL after --kill-after seconds
   mid-writes. Checks that every acknowledged report is still there and that `truce verify` (the
   store re-hashed against the log) passes.

Run: .venv/bin/python bench/api_load.py [--seconds 60] [--clients 50] [--kill-after 10] [--keep DIR]
Exit status 1 if an acknowledged report is missing or verification fails.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from truce.api.users import add_user, issue_token
from truce.demo import build_demo
from truce.publish.ledger import publish

USERS = (
    [("load-monitor-%d", "monitor", None)] * 4
    + [("load-ua-%d", "party_liaison", "UA")] * 3
    + [("load-ru-%d", "party_liaison", "RU")] * 3
)
WRITE_SHARE = 0.3


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    acknowledged: dict[str, int] = field(default_factory=dict)  # report id -> incidents
    in_flight: int = 0  # submissions sent whose answer never came (crash phase)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "TRUCE_DB": str(db)}
    command = [
        sys.executable,
        "-c",
        "from truce.cli.main import run; run()",
        "serve",
        "--port",
        str(port),
        "--rate",
        "1000000",
        "--burst",
        "1000000",
        "--log-level",
        "warning",
        "--no-warm",
    ]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/log", timeout=5).status_code == 200:
                return server, base
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the server did not start: {server.stderr.read().decode()[-2000:]}")


def _report(client_id: int, seq: int) -> dict:
    count = 1 + seq % 3
    return {
        "incidents": [
            {
                "type": random.choice(["shelling", "drone_strike", "armed_clash", "movement"]),
                "date": f"2026-01-{1 + (seq + i) % 28:02d}",
                "location": {
                    "name": "Huliaipole",
                    "country": "UA",
                    "lat": 47.66 + random.random() / 10,
                    "lon": 36.26 + random.random() / 10,
                    "precision": "exact",
                },
                "actor": random.choice(["RU", "UA"]),
                "evidence": f"load client {client_id} report {seq} item {i}",
            }
            for i in range(count)
        ]
    }


def _read(http: httpx.Client, base: str) -> tuple[str, httpx.Response]:
    kind = random.choice(["incidents", "findings", "ogc_items", "incident", "log"])
    path = {
        "incidents": "/api/v1/incidents?limit=50",
        "findings": "/api/v1/findings?limit=100",
        "ogc_items": "/ogc/collections/incidents/items?limit=100",
        "incident": f"/api/v1/incidents/seed-{random.randint(1, 11):02d}",
        "log": "/api/v1/log",
    }[kind]
    return kind, http.get(base + path)


def client_loop(
    client_id: int, base: str, token: str, stop: threading.Event, tally: Tally, writes: float
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    seq = 0
    with httpx.Client(headers=headers, timeout=60) as http:
        while not stop.is_set():
            start = time.perf_counter()
            try:
                if random.random() < writes:
                    seq += 1
                    kind = "submit"
                    with tally.lock:
                        tally.in_flight += 1
                    response = http.post(f"{base}/api/v1/reports", json=_report(client_id, seq))
                    with tally.lock:
                        tally.in_flight -= 1
                    if response.status_code in (200, 201):
                        receipt = response.json()
                        with tally.lock:
                            tally.acknowledged[receipt["report_id"]] = len(receipt["incident_ids"])
                else:
                    kind, response = _read(http, base)
            except httpx.TransportError as error:
                with tally.lock:
                    tally.errors[f"{type(error).__name__}"] += 1
                if stop.is_set():
                    return
                time.sleep(0.05)
                continue
            tally.add(kind, time.perf_counter() - start)
            if response.status_code >= 400:
                with tally.lock:
                    tally.errors[f"{kind} {response.status_code}"] += 1


def run_clients(
    base: str,
    tokens: list[str],
    clients: int,
    seconds: float,
    writes: float,
    kill: subprocess.Popen | None = None,
) -> Tally:
    tally, stop = Tally(), threading.Event()
    threads = [
        threading.Thread(target=client_loop, args=(i, base, tokens[i % len(tokens)], stop, tally, writes))
        for i in range(clients)
    ]
    for t in threads:
        t.start()
    time.sleep(seconds)
    if kill is not None:
        kill.send_signal(signal.SIGKILL)  # mid-writes: no shutdown, no flush
        kill.wait()
    stop.set()
    for t in threads:
        t.join(timeout=120)
    return tally


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000 if ordered else float("nan")


def summarise(title: str, tally: Tally, seconds: float, baseline: Tally | None = None) -> dict:
    everything = [v for values in tally.latencies.values() for v in values]
    total = len(everything)
    print(
        f"\n== {title}: {total} requests in {seconds:.0f} s ({total / seconds:,.0f}/s), "
        f"{len(tally.acknowledged)} reports acknowledged =="
    )
    print(f"{'request':<12}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}")
    for kind in sorted(tally.latencies):
        values = tally.latencies[kind]
        print(f"{kind:<12}{len(values):>8}{_pct(values, 0.5):>10.1f}{_pct(values, 0.99):>10.1f}")
    p50, p99 = _pct(everything, 0.5), _pct(everything, 0.99)
    line = f"{'all':<12}{total:>8}{p50:>10.1f}{p99:>10.1f}"
    if baseline is not None:
        base_all = [v for values in baseline.latencies.values() for v in values]
        line += (
            f"   (x{p50 / _pct(base_all, 0.5):.1f} p50, x{p99 / _pct(base_all, 0.99):.1f} p99 vs 1 client)"
        )
    print(line)
    errors = sum(tally.errors.values())
    print(f"errors: {errors}" + (f" {dict(tally.errors)}" if errors else ""))
    return {"p50": p50, "p99": p99, "requests": total, "errors": errors}


def missing_reports(db: Path, acknowledged: dict[str, int]) -> list[str]:
    """Acknowledged reports not in the store (or with fewer incidents than the receipt listed)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        stored = dict(
            conn.execute(
                "SELECT r.id, COUNT(i.id) FROM reports r"
                " LEFT JOIN incidents i ON i.report_id = r.id GROUP BY r.id"
            ).fetchall()
        )
    return [rid for rid, n in acknowledged.items() if stored.get(rid) != n]


def truce_verify(db: Path) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-c", "from truce.cli.main import run; run()", "--db", str(db), "verify"],
        capture_output=True,
        text=True,
    )
    return done.returncode, (done.stdout + done.stderr).strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--kill-after", type=float, default=10.0)
    parser.add_argument("--keep", type=Path, help="build the workspace here and keep it")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="truce-load-"))
    print(f"building the demo workspace in {folder} …", file=sys.stderr)
    workspace = build_demo(folder)
    publish(workspace)
    tokens = []
    for n, (name, role, party) in enumerate(USERS):
        add_user(workspace, name % n, role, party)
        tokens.append(issue_token(workspace, name % n)[1])
    workspace.engine.dispose()
    db = folder / "truce.db"
    failed = False

    server, base = start_server(db)
    try:
        baseline_seconds = max(3.0, min(10.0, args.seconds / 6))
        baseline = run_clients(base, tokens, 1, baseline_seconds, WRITE_SHARE)
        summarise("baseline, 1 client", baseline, baseline_seconds)
        load = run_clients(base, tokens, args.clients, args.seconds, WRITE_SHARE)
        summarise(f"load, {args.clients} clients", load, args.seconds, baseline)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    acknowledged = {**baseline.acknowledged, **load.acknowledged}
    lost = missing_reports(db, acknowledged)
    print(f"acknowledged reports missing after the load: {len(lost)} of {len(acknowledged)}")
    failed |= bool(lost)

    server, base = start_server(db)
    crash = run_clients(base, tokens, args.clients, args.kill_after, 1.0, kill=server)
    summarise(f"crash, {args.clients} writers, SIGKILL after {args.kill_after:.0f} s", crash, args.kill_after)
    lost = missing_reports(db, crash.acknowledged)
    print(
        f"acknowledged reports missing after SIGKILL: {len(lost)} of {len(crash.acknowledged)} "
        f"({crash.in_flight} submissions were in flight, unanswered)"
    )
    status, said = truce_verify(db)
    print(f"truce verify after SIGKILL: exit {status}: {said}")
    failed |= bool(lost) or status != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
