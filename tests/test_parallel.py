"""truce.parallel: the same results in this process and on a local Dask cluster, a killed worker
neither losing nor duplicating work, and the store ending as a single-process run leaves it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from truce.errors import UserError
from truce.parallel import Runner

CORPUS = Path(__file__).parent / "extract" / "corpus"


def _slow_square(n: int) -> int:
    time.sleep(0.05 if n % 3 else 0.15)  # uneven tasks finish out of order
    return n * n


@pytest.fixture(scope="module")
def cluster():
    with Runner(workers=2) as runner:
        yield runner


def test_this_process_by_default_without_importing_dask():
    code = (
        "import sys\nfrom truce.parallel import Runner\n"
        "with Runner() as r:\n    out = list(r.map(abs, [-3, 2, -1]))\n"
        "print(out, 'dask' in sys.modules, 'distributed' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[3, 2, 1] False False"


def test_results_come_back_in_order_with_progress(cluster):
    seen = []
    out = list(cluster.map(_slow_square, range(40), progress=lambda *step: seen.append(step), batch=3))
    assert out == [n * n for n in range(40)]
    assert seen[-1] == (40, 40) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert cluster.size == 2


def test_a_killed_worker_loses_and_duplicates_nothing():
    with Runner(workers=2) as runner:
        pids = sorted(runner._client.run(os.getpid).values())
        killed: list[int] = []

        def kill_one_worker(done: int, total: int) -> None:
            if not killed:  # after the first batch: the other batches are queued or running
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])

        out = list(runner.map(_slow_square, range(60), progress=kill_one_worker, batch=2))
        assert killed and out == [n * n for n in range(60)]
        assert pids[0] not in runner._client.run(os.getpid).values()  # it really died (and came back new)


@pytest.mark.parametrize(
    ("workers", "scheduler", "message"),
    [(2, "tcp://127.0.0.1:1", "give one or the other"), (0, None, "from 1 to 512"), (None, " ", "address")],
)
def test_bad_options_are_one_line_errors(workers, scheduler, message):
    with pytest.raises(UserError, match=message):
        Runner(workers, scheduler)


def _documents(tmp_path: Path, count: int) -> Path:
    lines = []
    for name in ("wire.jsonl", "telegram.jsonl", "digests.jsonl"):
        for line in (CORPUS / name).read_text(encoding="utf-8").splitlines()[: count // 3]:
            row = json.loads(line)
            lines.append(json.dumps({"id": row["id"], "published": row["published"], "text": row["text"]}))
    path = tmp_path / "docs.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _store_contents(db: str) -> tuple[list, list, bytes]:
    from truce.publish.ledger import log_store
    from truce.publish.log.tables import log_entries
    from truce.store import open_workspace
    from truce.store.schema import incidents, reports

    workspace = open_workspace(db)
    with workspace.engine.connect() as conn:
        stored = [tuple(row) for row in conn.execute(select(incidents).order_by(incidents.c.id))]
        stored += [tuple(row) for row in conn.execute(select(reports).order_by(reports.c.id))]
        log = [tuple(row) for row in conn.execute(select(log_entries.c.entry_id, log_entries.c.body))]
    return stored, log, log_store(workspace).root()


def test_ingest_on_workers_leaves_the_store_as_one_process_does(tmp_path, monkeypatch, cli):
    import io

    import truce.store.records

    monkeypatch.setattr(truce.store.records, "now_utc", lambda: "2026-01-10T08:00:00+00:00")
    docs = _documents(tmp_path, 12)
    results = {}
    for label, extra in (("single", []), ("dask", ["--workers", "2"])):
        db = str(tmp_path / f"{label}.db")
        assert cli("init", db=db)[0] == 0
        monkeypatch.setattr(sys, "stdin", io.StringIO(docs.read_text(encoding="utf-8")))
        status, out, err = cli("ingest", "-", "--format", "text", "--json", *extra, db=db)
        assert status == 0, err
        results[label] = (_store_contents(db), json.loads(out))
    (single, single_out), (dask, dask_out) = results["single"], results["dask"]
    assert single_out[0]["incidents"] > 5 and single_out == dask_out
    assert single[0] == dask[0]  # incidents and reports, row for row
    assert single[1] == dask[1] and single[2] == dask[2]  # log entries byte for byte, and the root


def test_ingest_of_a_table_format_refuses_workers(cli, tmp_path):
    status, _, err = cli("ingest", str(tmp_path / "x.csv"), "--format", "csv", "--workers", "2")
    assert status == 2 and "only for text" in err
