"""`truce extract` starts quickly: it loads the extraction pipeline, not the store, the log, the
sensors or the API (each costs seconds of start-up on a busy machine)."""

import json
import subprocess
import sys
from pathlib import Path

HEAVY = ("sqlalchemy", "alembic", "scipy", "fastapi", "dask", "truce.store", "truce.sensors", "truce.publish")

PROBE = """
import atexit, json, sys
atexit.register(lambda: print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr))
from truce.cli.main import run
sys.argv = ["truce", "extract", {path!r}, "--published", "2025-05-03"]
run()
"""

RUN = "from truce.cli.main import run; run()"


def test_extract_loads_the_pipeline_alone(tmp_path: Path):
    text = tmp_path / "one.txt"
    text.write_text("KHERSON, May 3 — A Russian drone struck the city centre, killing one man.\n")
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY, path=str(text))],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    incidents = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert [(i["type"], i["location"]["name"]) for i in incidents] == [("drone_strike", "Kherson")]
    assert json.loads(done.stderr.strip().splitlines()[-1]) == []


def test_extract_names_a_bad_date_and_exits_2(tmp_path: Path):
    text = tmp_path / "one.txt"
    text.write_text("A drone struck Kherson.\n")
    done = subprocess.run(
        [sys.executable, "-c", RUN, "extract", str(text), "--published", "3 May"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    assert "--published: expected a date YYYY-MM-DD, got '3 May'" in done.stderr
