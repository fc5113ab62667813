"""`truce ingest --format firms` and `truce sensors …` against a workspace: storage, idempotence,
the log, and bad input leaving nothing behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from truce.publish.ledger import verify_workspace
from truce.publish.log.tables import log_entries
from truce.sensors.tables import sensor_baselines, sensor_observations, thermal_anomalies
from truce.store import open_workspace
from truce.store.schema import reports

DATA = Path(__file__).parent / "data"
BUNDLED = Path(__file__).parents[2] / "src" / "truce" / "data" / "sensors"
DETECTIONS = BUNDLED / "firms_viirs_ukraine_2025-12_2026-01.csv"
SUMMARY = BUNDLED / "firms_history_summary_2012-2021.csv.gz"


def count(db: str, table) -> int:  # noqa: ANN001
    with open_workspace(db).engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.fixture
def ws(cli, db_path):
    assert cli("init")[0] == 0
    return db_path


def test_ingest_stores_observations_not_incidents_once(cli, ws):
    status, out, _ = cli("ingest", "--format", "firms", str(DETECTIONS), "--json")
    assert status == 0
    (result,) = json.loads(out)
    assert (result["new"], result["detections"], result["new_observations"], result["incidents"]) == (
        True,
        803,
        803,
        0,
    )
    assert count(ws, sensor_observations) == 803
    again = json.loads(cli("ingest", "--format", "firms", str(DETECTIONS), "--json")[1])[0]
    assert (again["new"], again["report_id"]) == (False, result["report_id"])
    assert count(ws, sensor_observations) == 803 and count(ws, reports) == 1


def test_a_second_file_with_the_same_detections_adds_only_the_new_ones(cli, ws, tmp_path):
    cli("ingest", "--format", "firms", str(DATA / "viirs_economist.csv"))
    lines = DETECTIONS.read_text().splitlines()
    part = tmp_path / "first-ten.csv"
    part.write_text("\n".join(lines[:11]) + "\n")  # overlaps the test file's first two rows
    result = json.loads(cli("ingest", "--format", "firms", str(part), "--json")[1])[0]
    assert (result["detections"], result["new_observations"]) == (10, 8)
    assert count(ws, sensor_observations) == 13


def test_a_bad_row_leaves_nothing_behind(cli, ws, tmp_path):
    bad = tmp_path / "bad.csv"
    text = (DATA / "viirs_economist.csv").read_text().splitlines()
    text[3] = text[3].replace("2025-12-07", "2025-12-37")
    bad.write_text("\n".join(text) + "\n")
    status, _, err = cli("ingest", "--format", "firms", str(bad))
    assert status == 2
    assert err.strip() == f"{bad}:4: acq_date: expected a date YYYY-MM-DD, got '2025-12-37'"
    assert count(ws, sensor_observations) == 0 and count(ws, reports) == 0


def test_baseline_is_stored_versioned_and_logged(cli, ws):
    status, out, _ = cli("sensors", "baseline", "--history", str(SUMMARY), "--json")
    assert status == 0
    first = json.loads(out)
    assert (first["version"], first["new"], first["years"]) == (
        1,
        True,
        [2012, 2013, 2016, 2018, 2019, 2020, 2021],
    )
    again = json.loads(cli("sensors", "baseline", "--history", str(SUMMARY), "--json")[1])
    assert (again["id"], again["new"]) == (first["id"], False)
    other = json.loads(
        cli("sensors", "baseline", "--history", str(SUMMARY), "--years", "2018-2021", "--json")[1]
    )
    assert (other["version"], other["years"]) == (2, [2018, 2019, 2020, 2021])
    assert count(ws, sensor_baselines) == 2
    with open_workspace(ws).engine.connect() as conn:
        kinds = [json.loads(b)["kind"] for (b,) in conn.execute(select(log_entries.c.body))]
    assert kinds.count("sensor_baseline") == 2


def test_anomalies_in_january_2026(cli, ws):
    cli("ingest", "--format", "firms", str(DETECTIONS))
    cli("sensors", "baseline", "--history", str(SUMMARY))
    status, out, _ = cli("sensors", "anomalies", "--from", "2026-01-01", "--to", "2026-01-31", "--json")
    assert status == 0
    found = json.loads(out)
    assert found and all("2026-01-01" <= a["date"] <= "2026-01-31" for a in found)
    assert all(a["p_value"] < 0.05 for a in found if a["kind"] == "persistent_excess")
    assert all(
        a["detection_ids"] and a["caveat"].startswith("Satellites see no fire under thick cloud")
        for a in found
    )
    assert {a["admin1"] for a in found} >= {"Donetsk Oblast"}
    # Running it again replaces the range: same anomalies, no duplicates.
    again = json.loads(cli("sensors", "anomalies", "--from", "2026-01-01", "--to", "2026-01-31", "--json")[1])
    assert again == found and count(ws, thermal_anomalies) == len(found)
    assert verify_workspace(open_workspace(ws)) is None


def test_a_changed_anomaly_is_caught_by_verify(cli, ws):
    cli("ingest", "--format", "firms", str(DETECTIONS))
    cli("sensors", "baseline", "--history", str(SUMMARY))
    cli("sensors", "anomalies", "--from", "2026-01-01", "--to", "2026-01-10")
    workspace = open_workspace(ws)
    with workspace.engine.begin() as conn:
        anomaly_id, body = conn.execute(select(thermal_anomalies.c.id, thermal_anomalies.c.body)).first()
        changed = {**json.loads(body), "detections": 999}
        conn.execute(
            thermal_anomalies.update()
            .where(thermal_anomalies.c.id == anomaly_id)
            .values(body=json.dumps(changed))
        )
    assert verify_workspace(workspace).startswith(f"thermal_anomaly:{anomaly_id}")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["sensors", "anomalies", "--from", "2026-01-01", "--to", "2026-01-31"],
            "no baseline yet; run `truce sensors baseline",
        ),
        (
            ["sensors", "anomalies", "--from", "2026-02-01", "--to", "2026-01-31"],
            "--to 2026-01-31 is before --from 2026-02-01",
        ),
        (
            ["sensors", "anomalies", "--from", "1 Jan", "--to", "2026-01-31"],
            "--from: expected a date YYYY-MM-DD, got '1 Jan'",
        ),
        (
            ["sensors", "baseline", "--history", str(SUMMARY), "--years", "twenty"],
            "--years: expected years like 2012-2021",
        ),
        (
            ["sensors", "baseline", "--history", str(SUMMARY), "--grid", "0.25"],
            "grid_deg: summary is on a 0.1° grid, not 0.25°",
        ),
    ],
)
def test_bad_commands_are_one_line_errors(cli, ws, args, message):
    status, _, err = cli(*args)
    assert status == 2 and message in err and err.count("\n") == 1
