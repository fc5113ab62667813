"""Clients on a real uvicorn (as `truce serve` runs it): who may set X-Forwarded-For, and a body
trickled in too slowly."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
import uvicorn
from starlette.responses import StreamingResponse

from truce.api import create_app
from truce.api.limits import BodyLimit
from truce.cli.api_cmds import uvicorn_options
from truce.store import open_workspace

from .conftest import FAST


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def serve(tmp_path):
    servers = []

    def start(**changes):
        settings = dataclasses.replace(FAST, **changes)
        workspace = open_workspace(str(tmp_path / f"w{len(servers)}.db"), create=True)
        port = _free_port()
        config = uvicorn.Config(
            create_app(workspace, settings),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            **uvicorn_options(settings),
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 60
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        servers.append((server, thread))
        return f"http://127.0.0.1:{port}", port

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


def _statuses(base: str, forwarded: bool) -> list[int]:
    with httpx.Client() as client:
        return [
            client.get(
                f"{base}/api/v1/me", headers={"X-Forwarded-For": f"203.0.113.{n}"} if forwarded else {}
            ).status_code
            for n in range(12)
        ]


def test_x_forwarded_for_is_believed_only_from_configured_proxies(serve):
    base, _ = serve(rate_per_second=0.01, rate_burst=4)
    # Each request names another address; the server keys the limit on the real one regardless.
    assert _statuses(base, forwarded=True).count(429) == 8
    proxied, _ = serve(rate_per_second=0.01, rate_burst=4, trusted_proxies="127.0.0.1")
    assert _statuses(proxied, forwarded=True).count(429) == 0  # the proxy's word: 12 clients
    assert _statuses(proxied, forwarded=False).count(429) == 8


def test_a_body_trickled_too_slowly_gets_408(serve):
    _, port = serve(body_timeout_seconds=1.0)
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(
            b"POST /api/v1/reports HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 200\r\n\r\n{"incidents": ['
        )
        started = time.monotonic()
        answer = conn.recv(4096)
        assert time.monotonic() - started < 8
        while b"\r\n\r\n" in answer and len(answer.partition(b"\r\n\r\n")[2]) < _length(answer):
            more = conn.recv(4096)  # the head and the body may come in two packets
            if not more:
                break
            answer += more
    assert answer.startswith(b"HTTP/1.1 408") and b"within 1 s" in answer


def test_an_answer_streamed_for_longer_than_the_body_timeout_is_not_cut():
    """The body's deadline ends with the body: a GET whose streamed answer (the dashboard's 50,000
    markers) takes longer is not turned into a 408 half-way (StreamingResponse waits on `receive`
    for a disconnect while it streams)."""

    async def slow_chunks():
        for n in range(3):
            await asyncio.sleep(0.2)
            yield f"chunk {n}\n".encode()

    app = BodyLimit(StreamingResponse(slow_chunks()), limit=1000, seconds=0.25)

    async def fetch() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            return await client.get("/")

    with ThreadPoolExecutor(1) as pool:  # a loop of its own (a Playwright test may hold this thread's)
        answer = pool.submit(lambda: asyncio.run(fetch())).result()
    assert answer.status_code == 200 and answer.text == "chunk 0\nchunk 1\nchunk 2\n"


def _length(answer: bytes) -> int:
    head = answer.partition(b"\r\n\r\n")[0].lower()
    for line in head.split(b"\r\n"):
        if line.startswith(b"content-length:"):
            return int(line.split(b":", 1)[1])
    return 0


@pytest.mark.parametrize("world", ["sqlite"], indirect=True)  # reads the SQLite file itself
def test_a_write_while_another_process_holds_the_store_is_503_not_500(api):
    import sqlite3

    holder = sqlite3.connect(str(api.workspace.engine.url.database), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # as a long `truce ingest` in another process does
    try:
        answer = api.post("/api/v1/cases", "monitor", json={"title": "t", "reason": "r"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"] == "2" and answer.json()["type"].endswith("busy")
    assert api.post("/api/v1/cases", "monitor", json={"title": "t", "reason": "r"}).status_code == 201


def test_text_extraction_runs_in_a_worker_with_a_time_limit_per_document():
    from truce.api.extraction import TextExtractor
    from truce.api.problems import ProblemError

    text = "Russian forces shelled Huliaipole in Zaporizhzhia Oblast on January 5, 2026."
    extractor = TextExtractor(seconds=0.0001)
    try:
        with pytest.raises(ProblemError) as refused:
            extractor.extract(text, "doc-1", None)
        assert refused.value.status == 422 and "took longer than" in refused.value.detail
        extractor.seconds = 120  # the killed worker is replaced by a fresh one
        (found,) = extractor.extract(text, "doc-2", None)
        assert found["location"]["name"] == "Huliaipole"
    finally:
        extractor.close()


def test_a_text_report_over_the_size_bound_is_refused_before_extraction(make_api):
    api = make_api(dataclasses.replace(FAST, max_text_chars=1000))
    answer = api.post("/api/v1/reports/text", "monitor", json={"text": "x " * 600})
    assert answer.status_code == 422 and "at most 1000 characters" in answer.text
