"""The API while its PostgreSQL server crashes and comes back: `truce serve --workers 2` answers 503
with Retry-After (never 500) while the database is down, serves again within seconds once it is back,
and loses no acknowledged write (`truce verify` passes)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from truce.api import create_demo_users
from truce.api.app import app_from_environment
from truce.api.problems import ThrottledWarning
from truce.store import open_workspace
from truce.store.faults import database_unavailable
from truce.store.local_cluster import ClusterUnavailable, LocalCluster

from .conftest import bearer, incident
from .test_workers import CLI, _free_port, serving_workers

RECOVERY_BOUND = 20.0  # seconds from the database accepting connections to every worker serving


@pytest.fixture
def crashable(tmp_path):
    """A durable cluster of its own (the session's is shared and not durable), a migrated workspace
    on it with the demo users, and `truce serve --workers 2` on that workspace."""
    try:
        cluster = LocalCluster(durable=True)
    except ClusterUnavailable as missing:
        pytest.skip(f"PostgreSQL tests need the server: {missing}")
    with cluster:
        url = cluster.create_database("faults")
        workspace = open_workspace(url, create=True, home=tmp_path)
        tokens = create_demo_users(workspace)
        workspace.engine.dispose()
        env = {**os.environ, "TRUCE_DB": url, "TRUCE_HOME": str(tmp_path)}
        log = tmp_path / "server.log"
        with serving_workers(["--rate", "100000", "--burst", "100000"], env, log) as (server, base):
            yield cluster, server, base, tokens["monitor"], env, log


class Clients:
    """Writers submitting reports and readers listing incidents, until stopped; every answer's
    status counted (a request the server never answered counts as its exception's name)."""

    def __init__(self, base: str, token: str, writers: int = 4, readers: int = 2) -> None:
        self.base, self.headers = base, bearer(token)
        self.statuses: Counter = Counter()
        self.acknowledged: set[str] = set()
        self.last_success = 0.0
        self.slowest = 0.0
        self._lock, self._stop = threading.Lock(), threading.Event()
        self._threads = [threading.Thread(target=self._write, args=(n,)) for n in range(writers)]
        self._threads += [threading.Thread(target=self._read) for _ in range(readers)]
        self.threads = len(self._threads)
        for thread in self._threads:
            thread.start()

    def _note(self, answer: httpx.Response | str, seconds: float) -> None:
        status = answer if isinstance(answer, str) else answer.status_code
        with self._lock:
            self.statuses[status] += 1
            self.slowest = max(self.slowest, seconds)
            if status in (200, 201):
                self.last_success = time.monotonic()
                if isinstance(answer, httpx.Response) and "report_id" in answer.json():
                    self.acknowledged.add(answer.json()["report_id"])

    def _loop(self, send) -> None:  # noqa: ANN001
        with httpx.Client(timeout=60, headers=self.headers) as http:
            n = 0
            while not self._stop.is_set():
                n += 1
                started = time.monotonic()
                try:
                    answer = send(http, n)
                except httpx.TransportError as error:
                    answer = type(error).__name__
                self._note(answer, time.monotonic() - started)
                time.sleep(0.02)

    def _write(self, writer: int) -> None:
        def send(http: httpx.Client, n: int) -> httpx.Response:
            body = {"incidents": [incident(evidence=f"fault test writer {writer} report {n}")]}
            return http.post(f"{self.base}/api/v1/reports", json=body)

        self._loop(send)

    def _read(self) -> None:
        self._loop(lambda http, _n: http.get(f"{self.base}/api/v1/incidents?limit=20"))

    def successes(self) -> int:
        with self._lock:
            return self.statuses[200] + self.statuses[201]

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=90)


def _workers(parent: int) -> list[int]:
    """The worker processes uvicorn started (spawned Python processes, not its resource tracker)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            stat = (proc / "stat").read_text()
            command = (proc / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"spawn_main" in command:
            found.append(int(proc.name))
    return sorted(found)


def _wait_for(condition, seconds: float) -> bool:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_workers_answer_503_while_postgresql_is_down_and_serve_again_when_it_is_back(crashable):
    cluster, server, base, token, env, log = crashable
    clients = Clients(base, token)
    try:
        assert _wait_for(lambda: clients.successes() >= 20, 60), clients.statuses
        cluster.crash()  # pg_ctl stop -m immediate, mid-writes
        crashed = clients.successes()
        before = clients.statuses[503]
        assert _wait_for(lambda: clients.statuses[503] >= before + 10, 30), clients.statuses
        down = httpx.get(f"{base}/api/v1/incidents", headers=bearer(token), timeout=30)
        assert down.status_code == 503 and down.headers["Retry-After"].isdigit()
        assert down.json()["type"].endswith("/database-unavailable")
        # uvicorn replaces a worker that dies (or misses its health check); its replacement starts
        # while the database is down and must come up, not stop the whole server
        assert set(clients.statuses) <= {200, 201, 503}, clients.statuses  # every request answered
        killed = _workers(server.pid)[0]
        os.kill(killed, signal.SIGKILL)
        assert _wait_for(lambda: len(set(_workers(server.pid)) - {killed}) == 2, 60), log.read_text()[-3000:]
        cut = Counter(clients.statuses)  # requests in flight on the killed worker had no answer
        cluster.start()  # the same port; recovers from its write-ahead log
        back = time.monotonic()
        assert _wait_for(lambda: clients.successes() >= crashed + 40, 60), clients.statuses
        recovered_in = clients.last_success - back
    finally:
        clients.stop()
    assert server.poll() is None, log.read_text()[-3000:]
    assert 500 not in clients.statuses, log.read_text()[-3000:]
    unanswered = {k: n for k, n in clients.statuses.items() if isinstance(k, str)}
    assert unanswered == {k: n for k, n in cut.items() if isinstance(k, str)}, clients.statuses
    assert sum(unanswered.values()) <= clients.threads
    assert set(clients.statuses) - set(unanswered) <= {200, 201, 503}, clients.statuses
    # after the restart, every worker serves: a run of requests with no 503
    with httpx.Client(timeout=30, headers=bearer(token)) as http:
        assert {http.get(f"{base}/api/v1/incidents?limit=1").status_code for _ in range(20)} == {200}
    assert recovered_in < RECOVERY_BOUND
    workspace = open_workspace(env["TRUCE_DB"], home=env["TRUCE_HOME"])
    with workspace.engine.connect() as conn:
        stored = set(conn.exec_driver_sql("select id from reports").scalars())
    workspace.engine.dispose()
    assert clients.acknowledged and clients.acknowledged <= stored
    done = subprocess.run([*CLI, "verify"], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_worker_starting_while_the_database_is_away_comes_up_and_answers_503(tmp_path, monkeypatch):
    nobody_listens = _free_port()
    monkeypatch.setenv("TRUCE_DB", f"postgresql+psycopg://truce@127.0.0.1:{nobody_listens}/truce")
    monkeypatch.setenv("TRUCE_HOME", str(tmp_path))
    with TestClient(app_from_environment()) as client:  # runs the app's start-up, as a worker does
        for answer in (
            client.get("/api/v1/log"),
            client.get("/api/v1/incidents", headers=bearer("trc_any")),
            client.post("/api/v1/reports", json={"incidents": [incident()]}, headers=bearer("trc_any")),
        ):
            assert answer.status_code == 503, answer.text
            assert answer.headers["Retry-After"] == "2"
            assert answer.json()["type"].endswith("/database-unavailable")


def test_only_the_database_being_away_is_unavailable_not_a_bad_statement(tmp_path):
    import sqlite3

    broken = OperationalError("select * from nowhere", {}, sqlite3.OperationalError("no such table: nowhere"))
    assert not database_unavailable(broken)  # a defect stays a 500
    assert not database_unavailable(ValueError("not a database error"))
    assert database_unavailable(PoolTimeout("QueuePool limit of size 10 overflow 20 reached"))


def test_while_the_database_is_away_the_log_gets_one_warning_per_interval(caplog):
    warnings = ThrottledWarning(every=0.2)
    with caplog.at_level("WARNING", logger="truce.api"):
        for _ in range(100):
            warnings.warn("GET /api/v1/incidents", "connection refused")
        assert len(caplog.records) == 1
        time.sleep(0.25)
        warnings.warn("GET /api/v1/log", "connection refused")
    assert len(caplog.records) == 2
    assert "GET /api/v1/log: connection refused (99 more since the last warning)" in caplog.records[1].message
