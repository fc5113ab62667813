"""`truce serve --workers N` on PostgreSQL: real worker processes share the log, the rate limits and
the checkpoints through the database; on SQLite several workers are refused."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from truce.api import ApiSettings, create_app
from truce.store import open_workspace

from .conftest import bearer, incident

CLI = [sys.executable, "-c", "from truce.cli.main import run; run()"]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serving_workers(options: list[str], env: dict, log: Path) -> Iterator[tuple[subprocess.Popen, str]]:
    """`truce serve --workers 2` on a free port with `options`, its errors in `log`; yields the
    process and its base URL once it answers, and stops it (SIGTERM, then SIGKILL after 30 s) at the end."""
    port = _free_port()
    command = [*CLI, "serve", "--workers", "2", "--port", str(port), "--no-warm", "--log-level", "warning"]
    server = subprocess.Popen([*command, *options], env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/api/v1/log", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(log.read_text()[-2000:]) from None
                time.sleep(0.3)
        yield server, base
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture
def pg_api(world, tmp_path):
    """A private copy of the world (PostgreSQL), served by `truce serve --workers 2`."""
    workspace = world.copy(tmp_path)
    workspace.engine.dispose()
    # The world's keys too: `truce verify` recomputes the commitments the world's log holds.
    shutil.copytree(world.folder / "keys", tmp_path / "keys")
    env = {**os.environ, "TRUCE_DB": workspace.url, "TRUCE_HOME": str(tmp_path)}
    log = tmp_path / "server.log"
    try:
        with serving_workers(["--rate", "1000", "--burst", "1000"], env, log) as (_, base):
            yield base, workspace, env, log
    finally:
        world.cluster.drop_database(workspace.engine.url.database)


@pytest.mark.parametrize("world", ["postgresql"], indirect=True)
def test_two_workers_take_concurrent_writes_and_the_log_verifies(pg_api, world):
    base, workspace, env, log = pg_api
    token = world.tokens["monitor"]

    def submit(n):
        body = {"incidents": [incident(evidence=f"worker test {n}")]}
        with httpx.Client(timeout=60) as http:
            return http.post(f"{base}/api/v1/reports", json=body, headers=bearer(token))

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(submit, range(48)))
    assert [a.status_code for a in answers] == [201] * 48, log.read_text()[-3000:]
    receipts = {a.json()["report_id"] for a in answers}
    # The same report sent again and again at once (a client retrying through the proxy) lands on
    # both workers: stored once, every answer is its receipt.
    with ThreadPoolExecutor(8) as pool:
        again = list(pool.map(lambda _: submit("the same"), range(8)))
    assert sorted(a.status_code for a in again) == [200] * 7 + [201], log.read_text()[-3000:]
    assert len({a.json()["report_id"] for a in again}) == 1
    with open_workspace(workspace.url, home=workspace.home).engine.connect() as conn:
        stored = set(conn.exec_driver_sql("select id from reports").scalars())
    assert receipts <= stored
    heads = {httpx.get(f"{base}/api/v1/log", timeout=30).json()["treeSize"] for _ in range(6)}
    assert len(heads) == 1  # every worker shows the same signed tree head
    done = subprocess.run([*CLI, "verify"], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("world", ["postgresql"], indirect=True)
def test_workers_spend_one_rate_budget_per_token(world, tmp_path):
    """Two apps (two workers) on one PostgreSQL database: a token's burst is shared, not doubled."""
    workspace = world.copy(tmp_path)
    settings = ApiSettings(rate_per_second=0.01, rate_burst=4)
    from fastapi.testclient import TestClient

    try:
        with (
            TestClient(create_app(workspace, settings)) as one,
            TestClient(create_app(workspace, settings)) as two,
        ):
            headers = bearer(world.tokens["analyst"])
            answers = [
                (one if n % 2 else two).get("/api/v1/me", headers=headers).status_code for n in range(6)
            ]
            assert answers == [200, 200, 200, 200, 429, 429]
            assert one.get("/api/v1/me", headers=bearer(world.tokens["monitor"])).status_code == 200
    finally:
        workspace.engine.dispose()
        world.cluster.drop_database(workspace.engine.url.database)


def test_several_workers_need_postgresql(cli, workspace):
    status, _, err = cli("serve", "--workers", "2")
    assert status == 2 and "PostgreSQL" in err
