"""The assessment split over Dask workers by time window and region gives what one process gives:
the same findings id for id and in order, the store and the log byte for byte, on both stores,
also when a worker is killed mid-run."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import signal

import pytest
from sqlalchemy import insert, select

from truce.assess.split import plan
from truce.parallel import Runner
from truce.store import copy_workspace, open_workspace
from truce.store.schema import findings, incidents

OBLASTS = ("Donetsk", "Zaporizhzhia", "Kharkiv", "Dnipropetrovsk", "Luhansk", None)
TYPES = ("shelling", "drone_strike", "weapon_sighting", "movement", "troop_presence", "armed_clash")
CLASSES = ("artillery_ge_100mm", "tanks", "mlrs", None)


def _generated(count: int, seed: int = 17) -> str:
    """Incidents over the front and around the nuclear plant, from before the ceasefire to after the
    cut-off, in several oblasts and none: every divisible check has something to find."""
    rng = random.Random(seed)
    lines = []
    for n in range(count):
        day = dt.date(2025, 12, 20) + dt.timedelta(days=rng.randrange(50))
        near_plant = rng.random() < 0.05
        lon = 34.58 + rng.uniform(-0.1, 0.1) if near_plant else rng.uniform(35.0, 39.0)
        lat = 47.51 + rng.uniform(-0.1, 0.1) if near_plant else rng.uniform(46.8, 49.5)
        kind = rng.choice(TYPES)
        row = {
            "id": f"g-{n:05d}",
            "type": kind,
            "date": day.isoformat(),
            "location": {
                "lon": round(lon, 4),
                "lat": round(lat, 4),
                "precision": "exact",
                "country": "UA",
                "admin1": rng.choice(OBLASTS),
            },
            "actor": rng.choice(("RU", "UA", None)),
            "status": rng.choice(("reported", "confirmed", "claimed", "fabricated")),
            "weapon_class": rng.choice(CLASSES) if kind in ("weapon_sighting", "movement") else None,
        }
        lines.append(json.dumps(row))
    return "\n".join(lines) + "\n"


@pytest.fixture
def two_demos(store_kind, demo_dir, tmp_path, request, monkeypatch, cli):
    """Two identical copies of the demo plus 1,500 generated incidents (same received time)."""
    import truce.store.records

    if store_kind == "sqlite":
        dbs = [str(copy_workspace(demo_dir / "truce.db", tmp_path / name)) for name in ("one", "many")]
    else:
        template, home = request.getfixturevalue("pg_demo")
        shutil.copytree(home / "keys", tmp_path / "keys")
        monkeypatch.setenv("TRUCE_HOME", str(tmp_path))
        dbs = [request.getfixturevalue("pg_copy")(template) for _ in range(2)]
    monkeypatch.setattr(truce.store.records, "now_utc", lambda: "2026-01-31T08:00:00+00:00")
    generated = tmp_path / "generated.jsonl"
    generated.write_text(_generated(1500), encoding="utf-8")
    for db in dbs:
        assert cli("ingest", str(generated), "--format", "jsonl", db=db)[0] == 0
    return dbs


def _store(db: str) -> tuple[list, list, bytes]:
    from truce.publish.ledger import log_store
    from truce.publish.log.tables import log_entries

    workspace = open_workspace(db)
    with workspace.engine.connect() as conn:
        stored = [tuple(row) for row in conn.execute(select(findings).order_by(findings.c.id))]
        log = [tuple(row) for row in conn.execute(select(log_entries.c.entry_id, log_entries.c.body))]
    root = log_store(workspace).root()
    workspace.engine.dispose()
    return stored, log, root


@pytest.mark.both_stores
def test_workers_store_the_run_one_process_stores(two_demos, cli):
    one, many = two_demos
    args = ("assess", "--until", "2026-02-01", "--json")
    status, single_out, err = cli(*args, db=one)
    assert status == 0, err
    status, dask_out, err = cli(*args, "--workers", "2", db=many)
    assert status == 0, err
    single, dask = json.loads(single_out), json.loads(dask_out)
    assert single["incidents"] > 1500 and single["findings"] > 100
    for provision in ("ceasefire", "fez-pullback", "znpp-zone", "front-line-freeze", "ru-withdrawal"):
        assert provision in single["by_provision"], provision
    single.pop("run"), dask.pop("run")
    assert single == dask  # counts and findings by provision
    stored_one, log_one, root_one = _store(one)
    stored_many, log_many, root_many = _store(many)
    assert [row[0] for row in stored_one] == [row[0] for row in stored_many]  # id for id
    assert stored_one == stored_many  # every column
    assert log_one == log_many and root_one == root_many  # the log byte for byte


def _assess(db: str, runner: Runner | None = None, part_progress=None):
    from truce.agreement.bundled import bundled_agreement_path
    from truce.assess.run import assess_workspace
    from truce.model import KYIV

    return assess_workspace(
        open_workspace(db),
        bundled_agreement_path("ukraine-framework-2025"),
        cut_off=dt.datetime(2026, 2, 1, tzinfo=KYIV),
        store=False,
        runner=runner,
        part_progress=part_progress,
    )


def test_a_killed_worker_changes_no_finding(two_demos):
    db = two_demos[0]
    expected = [f.model_dump_json() for f in _assess(db).findings]
    with Runner(workers=2) as runner:
        pids = sorted(runner._client.run(os.getpid).values())
        killed: list[int] = []

        def kill_one_worker(done: int, total: int) -> None:
            if not killed:  # after the first task: the others are queued or running
                os.kill(pids[0], signal.SIGKILL)
                killed.append(pids[0])

        result = _assess(db, runner, kill_one_worker)
    assert killed and [f.model_dump_json() for f in result.findings] == expected


def test_cells_hold_every_incident_once_even_one_ingested_after_planning(two_demos):
    from truce.assess.evidence import load_evidence

    workspace = open_workspace(two_demos[0])
    with workspace.engine.connect() as conn:
        cells = plan(conn, workers=3)
        report_id = conn.execute(select(incidents.c.report_id).limit(1)).scalar()
    row = {"id": "late", "report_id": report_id, "type": "shelling", "date": dt.date(2026, 1, 5)}
    row |= {"date_precision": "day", "t_start": 1767571200, "t_end": 1767657600, "lon": 37.5, "lat": 48.5}
    row |= {"precision": "exact", "country": "UA", "admin1": "Somewhere new", "actor": "RU"}
    row |= {"status": "reported", "weapon_class": None, "body": "{}"}
    with workspace.engine.begin() as conn:
        conn.execute(insert(incidents).values(**row))
    with workspace.engine.connect() as conn:
        whole = list(load_evidence(conn).id)
        parts = [list(load_evidence(conn, cell.where()).id) for cell in cells]
    assert len(cells) > 6 and sum(1 for part in parts if part) > 6  # windows x oblast groups
    assert sorted(i for part in parts for i in part) == sorted(whole) and "late" in whole
