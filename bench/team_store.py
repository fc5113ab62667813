"""The team store under load and faults: `truce serve --workers N` on PostgreSQL + PostGIS against
the single SQLite process, in the same run, on loopback.

Phases (each prints its figures; the SQLite run is the baseline of the ratios):
1. load      --clients clients for --seconds, 30% report submissions: requests/s, writes/s,
             p50/p99, errors, and every acknowledged report present afterwards. SQLite (1 process),
             then PostgreSQL with 1 worker and with --workers workers (ratios to SQLite).
2. ingest    a CLI ingest of --ingest incidents (JSON Lines) while --clients/4 clients submit
             reports: no 500, no lost acknowledged write, the slowest write; on both stores.
3. kill      SIGKILL one PostgreSQL API worker mid-writes (uvicorn starts another): every
             acknowledged report present and `truce verify` passes.
4. restart   `pg_ctl restart -m immediate` mid-writes (a crash as far as the data is concerned):
             every acknowledged report present, the workers recover, `truce verify` passes.
   down      the same, with the database away for --down-seconds: what the API answers meanwhile
             (503, never 500) and how soon after it is back a probe gets 200 again.
5. bbox      --big incidents in both stores: OGC items with a bbox, p50/p99 per store, and
             `truce assess` end to end per store.

Run: python bench/team_store.py [--seconds 60] [--clients 200] [--workers 4] [--ingest 250000]
                                [--big 1000000] [--phases load,ingest,kill,restart,down,bbox]
Exit status 1 if an acknowledged report is missing, `truce verify` fails, a fault gives a 500 or
no recovery, or the two stores' findings differ.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).parent))
from api_load import USERS, Tally, _free_port, _pct, client_loop, run_clients, summarise  # noqa: E402
from truce.api.users import add_user, issue_token  # noqa: E402
from truce.demo import build_demo  # noqa: E402
from truce.store import open_workspace  # noqa: E402
from truce.store.local_cluster import LocalCluster  # noqa: E402

WRITE_SHARE = 0.3
CLI = [sys.executable, "-c", "from truce.cli.main import run; run()"]


class Store:
    """One workspace under test: its --db, its keys' folder, and the API users' tokens."""

    def __init__(self, name: str, db: str, home: Path, workers: int) -> None:
        self.name, self.db, self.home, self.workers = name, db, home, workers
        self.tokens: list[str] = []

    def env(self) -> dict[str, str]:
        return {**os.environ, "TRUCE_DB": self.db, "TRUCE_HOME": str(self.home)}

    def prepare(self) -> None:
        workspace = build_demo(self.home, db=None if self.db.endswith(".db") else self.db)
        for n, (name, role, party) in enumerate(USERS):
            add_user(workspace, name % n, role, party)
            self.tokens.append(issue_token(workspace, name % n)[1])
        workspace.engine.dispose()

    def serve(self) -> tuple[subprocess.Popen, str]:
        port = _free_port()
        command = [*CLI, "serve", "--port", str(port), "--rate", "1000000", "--burst", "1000000"]
        command += ["--log-level", "warning", "--no-warm", "--workers", str(self.workers)]
        server = subprocess.Popen(command, env=self.env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/api/v1/log", timeout=5).status_code == 200:
                    return server, base
            except httpx.TransportError:
                time.sleep(0.3)
        server.kill()
        raise SystemExit(f"{self.name}: the server did not start: {server.stderr.read().decode()[-2000:]}")

    def missing(self, acknowledged: dict[str, int]) -> list[str]:
        workspace = open_workspace(self.db, home=self.home)
        with workspace.engine.connect() as conn:
            stored = dict(
                conn.execute(
                    text(
                        "SELECT r.id, COUNT(i.id) FROM reports r"
                        " LEFT JOIN incidents i ON i.report_id = r.id GROUP BY r.id"
                    )
                ).all()
            )
        workspace.engine.dispose()
        return [rid for rid, n in acknowledged.items() if stored.get(rid) != n]

    def verify(self) -> tuple[int, str]:
        done = subprocess.run([*CLI, "verify"], env=self.env(), capture_output=True, text=True, check=False)
        return done.returncode, (done.stdout + done.stderr).strip()[-300:]


def stop(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        server.kill()


class Writers:
    """`count` clients that only submit reports, until stopped."""

    def __init__(self, store: Store, base: str, count: int) -> None:
        self.tally, self._stop = Tally(), threading.Event()
        self._threads = [
            threading.Thread(
                target=client_loop,
                args=(i, base, store.tokens[i % len(store.tokens)], self._stop, self.tally, 1.0),
            )
            for i in range(count)
        ]
        for thread in self._threads:
            thread.start()

    def stop(self) -> Tally:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)
        return self.tally


def worker_pids(server: subprocess.Popen) -> list[int]:
    """uvicorn's worker processes (spawned Pythons; not its resource tracker), from /proc."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            parent = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (proc / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if parent == server.pid and b"spawn_main" in command:
            found.append(int(proc.name))
    return sorted(found)


def phase_load(stores: list[Store], args: argparse.Namespace) -> bool:
    """SQLite (one process), PostgreSQL with one worker, PostgreSQL with --workers workers."""
    lite, pg = stores
    runs = [lite, Store(pg.name, pg.db, pg.home, 1), pg] if pg.workers > 1 else stores
    for run in runs[1:]:
        run.tokens = pg.tokens
    ok, figures = True, {}
    for store in runs:
        server, base = store.serve()
        try:
            tally = run_clients(base, store.tokens, args.clients, args.seconds, WRITE_SHARE)
        finally:
            stop(server)
        label = f"{store.name} ({store.workers} process{'es' if store.workers > 1 else ''})"
        figures[label] = summarise(f"load on {label}, {args.clients} clients", tally, args.seconds)
        figures[label]["writes"] = len(tally.acknowledged) / args.seconds
        lost = store.missing(tally.acknowledged)
        print(f"acknowledged reports missing: {len(lost)} of {len(tally.acknowledged)}")
        print(f"write throughput: {figures[label]['writes']:.1f} acknowledged reports/s")
        ok &= not lost
    baseline_label, baseline = next(iter(figures.items()))
    for label, figure in list(figures.items())[1:]:
        print(
            f"\nratio {label} / {baseline_label}: "
            f"requests/s x{figure['requests'] / max(1, baseline['requests']):.2f}, "
            f"writes/s x{figure['writes'] / max(1e-9, baseline['writes']):.2f}, "
            f"p50 x{figure['p50'] / baseline['p50']:.2f}, p99 x{figure['p99'] / baseline['p99']:.2f}"
        )
    return ok


def _incident_lines(count: int, path: Path) -> None:
    rng = random.Random(7)
    types = ["shelling", "drone_strike", "armed_clash", "air_strike", "movement"]
    with path.open("w") as out:
        for n in range(count):
            record = {
                "id": f"bulk-{n}",
                "type": types[n % len(types)],
                "date": f"2026-01-{1 + n % 28:02d}",
                "location": {
                    "lat": 46.5 + rng.random() * 4,
                    "lon": 33.0 + rng.random() * 6,
                    "country": "UA",
                    "precision": "exact",
                },
                "actor": "RU" if n % 3 else "UA",
                "status": "reported",
            }
            out.write(json.dumps(record) + "\n")


def cli(store: Store, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.perf_counter()
    done = subprocess.run([*CLI, *args], env=store.env(), capture_output=True, text=True, check=False)
    return done, time.perf_counter() - started


def phase_ingest(stores: list[Store], args: argparse.Namespace, folder: Path) -> bool:
    data = folder / f"bulk-{args.ingest}.jsonl"
    if not data.exists():
        _incident_lines(args.ingest, data)
    ok = True
    clients = max(1, args.clients // 4)
    for store in stores:
        server, base = store.serve()
        try:
            writers = Writers(store, base, clients)
            done, seconds = cli(
                store, "ingest", str(data), "--format", "jsonl", "--source", f"bulk-{store.name}"
            )
            tally = writers.stop()
        finally:
            stop(server)
        writes = tally.latencies.get("submit", [])
        server_errors = sum(n for kind, n in tally.errors.items() if kind.endswith(" 500"))
        lost = store.missing(tally.acknowledged)
        failure = "" if done.returncode == 0 else ": " + done.stderr[-300:]
        print(f"\n== ingest of {args.ingest:,} incidents on {store.name} while {clients} clients write ==")
        rate = args.ingest / seconds
        print(f"ingest: exit {done.returncode} in {seconds:.1f} s ({rate:,.0f} incidents/s){failure}")
        print(
            f"API writes: {len(tally.acknowledged)} acknowledged, p50 {_pct(writes, 0.5):.0f} ms, "
            f"p99 {_pct(writes, 0.99):.0f} ms, slowest {max(writes, default=0) * 1000:.0f} ms; "
            f"errors {dict(tally.errors) or 0}; 500s: {server_errors}; acknowledged missing: {len(lost)}"
        )
        ok &= not lost and server_errors == 0 and done.returncode == 0
    return ok


class Probe:
    """One reader asking for the newest incident every 50 ms: when the API answers what."""

    def __init__(self, base: str, token: str) -> None:
        self.answers: list[tuple[float, int | str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(base, token))
        self._thread.start()

    def _run(self, base: str, token: str) -> None:
        with httpx.Client(timeout=30, headers={"Authorization": f"Bearer {token}"}) as http:
            while not self._stop.is_set():
                try:
                    status: int | str = http.get(f"{base}/api/v1/incidents?limit=1").status_code
                except httpx.TransportError as error:
                    status = type(error).__name__
                self.answers.append((time.monotonic(), status))
                time.sleep(0.05)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def recovered_after(self, moment: float) -> float | None:
        """Seconds from `moment` to the first answer 200 after the last failure."""
        failures = [t for t, status in self.answers if status != 200]
        start = max([moment, *failures])
        later = [t for t, status in self.answers if status == 200 and t > start]
        return later[0] - moment if later else None


def _inflict(fault: str, server: subprocess.Popen, cluster: LocalCluster, args: argparse.Namespace) -> str:
    if fault == "kill":
        victim = worker_pids(server)[0]
        os.kill(victim, signal.SIGKILL)
        return f"SIGKILL of worker {victim}"
    if fault == "restart":
        cluster.restart("immediate")
        return "pg_ctl restart -m immediate"
    cluster.crash()  # "down": the database away for a while, then back
    time.sleep(args.down_seconds)
    cluster.start()
    return f"pg_ctl stop -m immediate, {args.down_seconds:g} s down, start"


def phase_fault(store: Store, cluster: LocalCluster, args: argparse.Namespace, fault: str) -> bool:
    clients = max(1, args.clients // 4)
    server, base = store.serve()
    try:
        writers = Writers(store, base, clients)
        probe = Probe(base, store.tokens[0])
        time.sleep(args.fault_after)
        hit = time.monotonic()
        what = _inflict(fault, server, cluster, args)
        back = time.monotonic()
        time.sleep(args.fault_after)
        tally = writers.stop()
        probe.stop()
    finally:
        stop(server)
    lost = store.missing(tally.acknowledged)
    status, said = store.verify()
    outage = Counter(status for t, status in probe.answers if t >= hit)
    recovered = probe.recovered_after(back)
    server_errors = sum(n for kind, n in tally.errors.items() if kind.endswith(" 500"))
    print(f"\n== {what} mid-writes ({clients} writers, {args.fault_after:.0f} s before and after) ==")
    print(
        f"acknowledged {len(tally.acknowledged)}, missing {len(lost)}; failed requests "
        f"{dict(tally.errors) or 0} ({tally.in_flight} unanswered at the end); 500s: {server_errors}"
    )
    print(
        f"probe from the fault on: {dict(outage)}; serving again "
        + (f"{recovered:.2f} s after the fault was over" if recovered is not None else "NEVER")
        + f" (the fault itself took {back - hit:.2f} s)"
    )
    print(f"truce verify: exit {status} {said.splitlines()[-1] if said else ''}")
    return not lost and status == 0 and server_errors == 0 and recovered is not None


def _bbox_latencies(base: str, requests: int) -> list[float]:
    latencies, rng = [], random.Random(3)  # the same boxes on both stores
    with httpx.Client(timeout=120) as http:
        for _ in range(requests):
            west, south = 33.0 + rng.random() * 5, 46.5 + rng.random() * 3
            box = f"{west:.3f},{south:.3f},{west + 0.5:.3f},{south + 0.5:.3f}"
            start = time.perf_counter()
            response = http.get(f"{base}/ogc/collections/incidents/items?bbox={box}&limit=100")
            latencies.append(time.perf_counter() - start)
            assert response.status_code == 200, response.text[:300]
    return latencies


def phase_bbox(stores: list[Store], args: argparse.Namespace, folder: Path) -> bool:
    """--big incidents in each store: bbox queries, then `truce assess` (PostGIS's zone join on
    PostgreSQL, shapely on SQLite) whose findings must be the same, id for id."""
    data = folder / f"big-{args.big}.jsonl"
    if not data.exists():
        _incident_lines(args.big, data)
    figures: dict[str, dict] = {}
    for store in stores:
        done, seconds = cli(store, "ingest", str(data), "--format", "jsonl", "--source", "big")
        print(f"\n== {args.big:,} incidents on {store.name}: ingest {seconds:.0f} s (exit {done.returncode})")
        server, base = store.serve()
        try:
            latencies = _bbox_latencies(base, args.bbox_requests)
        finally:
            stop(server)
        p50, p99 = _pct(latencies, 0.5), _pct(latencies, 0.99)
        print(f"OGC items with a 0.5° bbox, {len(latencies)} requests: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
        done, seconds = cli(store, "assess", "--until", "2026-02-01", "--json")
        print(f"truce assess end to end: {seconds:.1f} s (exit {done.returncode})")
        listed, _ = cli(store, "findings", "--json")
        ids = {row["id"] for row in json.loads(listed.stdout)} if listed.returncode == 0 else set()
        figures[store.name] = {"p50": p50, "p99": p99, "assess": seconds, "ids": ids}
    if len(figures) < 2:
        return True
    lite, pg = figures["sqlite"], figures["postgresql"]
    print(
        f"\nratio postgresql/sqlite: bbox p50 x{pg['p50'] / lite['p50']:.2f}, "
        f"p99 x{pg['p99'] / lite['p99']:.2f}; assess x{pg['assess'] / lite['assess']:.2f}"
    )
    same = lite["ids"] == pg["ids"] and bool(lite["ids"])
    print(f"findings: {len(lite['ids'])} on sqlite, {len(pg['ids'])} on postgresql, the same ids: {same}")
    return same


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--ingest", type=int, default=250_000)
    parser.add_argument("--big", type=int, default=1_000_000)
    parser.add_argument("--bbox-requests", type=int, default=200)
    parser.add_argument("--fault-after", type=float, default=8.0)
    parser.add_argument("--down-seconds", type=float, default=5.0)
    parser.add_argument("--phases", default="load,ingest,kill,restart,down,bbox")
    args = parser.parse_args()
    phases = set(args.phases.split(","))
    folder = Path(tempfile.mkdtemp(prefix="truce-team-"))
    ok = True
    try:
        with LocalCluster(durable=True) as cluster:
            lite = Store("sqlite", str(folder / "sqlite" / "truce.db"), folder / "sqlite", 1)
            pg = Store("postgresql", cluster.create_database("bench"), folder / "pg", args.workers)
            for store in (lite, pg):
                print(f"building the demo workspace on {store.name} …", file=sys.stderr)
                store.prepare()
            if "load" in phases:
                ok &= phase_load([lite, pg], args)
            if "ingest" in phases:
                ok &= phase_ingest([lite, pg], args, folder)
            if "kill" in phases:
                ok &= phase_fault(pg, cluster, args, "kill")
            if "restart" in phases:
                ok &= phase_fault(pg, cluster, args, "restart")
            if "down" in phases:
                ok &= phase_fault(pg, cluster, args, "down")
            if "bbox" in phases:
                ok &= phase_bbox([lite, pg], args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)  # the workspaces of a 1M run are ~3 GB
    print("\nall acknowledged writes present and verified" if ok else "\nFAILED: see above")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
