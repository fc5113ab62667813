"""`truce user add|token|revoke|list` and `truce serve` (a real uvicorn on loopback)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import httpx

from truce.api import create_demo_users
from truce.store import open_workspace


def test_user_commands(cli):
    assert cli("init")[0] == 0
    status, out, _ = cli("user", "add", "olena", "--role", "party_liaison", "--party", "UA", "--json")
    assert status == 0 and json.loads(out)["party"] == "UA"
    status, out, err = cli("user", "token", "olena", "--json")
    made = json.loads(out)
    assert status == 0 and made["token"].startswith("trc_") and made["id"].startswith("tok-")
    status, out, err = cli("user", "token", "olena")
    assert status == 0 and out.strip().startswith("trc_") and "shown only now" in err
    listed = json.loads(cli("user", "list", "--json")[1])
    assert [len(u["tokens"]) for u in listed] == [2] and made["token"] not in json.dumps(listed)
    assert cli("user", "revoke", made["id"])[0] == 0
    assert cli("user", "revoke", made["id"])[0] == 2  # already revoked
    assert cli("user", "revoke", "olena")[0] == 0
    assert json.loads(cli("user", "list", "--json")[1])[0]["disabled_at"]


def test_user_mistakes_are_one_line_errors(cli):
    cli("init")
    for args, words in (
        (("user", "add", "x", "--role", "overlord"), "unknown role"),
        (("user", "add", "x", "--role", "party_liaison"), "needs --party"),
        (("user", "add", "x", "--role", "monitor", "--party", "UA"), "only for party_liaison"),
        (("user", "add", "bad name!", "--role", "monitor"), "letters, digits"),
        (("user", "token", "nobody"), "no active user"),
    ):
        status, _, err = cli(*args)
        assert status == 2 and words in err and len(err.strip().splitlines()) == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_runs_the_api_on_loopback(tmp_path):
    db = tmp_path / "truce.db"
    workspace = open_workspace(str(db), create=True)
    token = create_demo_users(workspace)["monitor"]
    port = _free_port()
    env = {**os.environ, "TRUCE_DB": str(db)}
    server = subprocess.Popen(
        [sys.executable, "-c", "from truce.cli.main import run; run()", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base, answer = f"http://127.0.0.1:{port}", None
        deadline = time.monotonic() + 90  # a loaded machine starts Python slowly
        while time.monotonic() < deadline and answer is None:
            try:
                answer = httpx.get(f"{base}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
            except httpx.TransportError:
                time.sleep(0.2)
        assert answer is not None and answer.json()["role"] == "monitor"
        assert httpx.get(f"{base}/openapi.json").json()["info"]["title"] == "truce API"
        assert httpx.get(f"{base}/docs").status_code == 200
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
