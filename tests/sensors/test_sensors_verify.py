"""A reported shelling next to a thermal anomaly: the stored cluster names the anomaly and its
credibility is raised; a report far away is not touched."""

from __future__ import annotations

import datetime as dt

import numpy as np

from truce.model import Incident
from truce.sensors.anomalies import AnomalyParams
from truce.sensors.baseline import Baseline, BaselineParams
from truce.sensors.store import compute_anomalies, ingest_firms, save_baseline
from truce.store.records import add_incidents, add_report
from truce.verify.store import recluster

HEADER = (
    "latitude,longitude,bright_ti4,scan,track,acq_date,acq_time,satellite,confidence,version,"
    "bright_ti5,frp,daynight\n"
)


def shelling(incident_id: str, lon: float, lat: float, day: str) -> Incident:
    return Incident.model_validate(
        {
            "id": incident_id,
            "type": "shelling",
            "date": day,
            "actor": "RU",
            "location": {"lon": lon, "lat": lat, "precision": "settlement", "country": "UA"},
        }
    )


def test_a_report_near_an_anomaly_is_corroborated(workspace, tmp_path):
    rows = [f"48.05{n},37.05,330,0.4,0.4,2026-01-03,2320,N20,n,2.0NRT,280,5.0,N\n" for n in range(3)]
    rows += [f"48.05{n},37.45,330,0.4,0.4,2026-01-13,2320,N20,n,2.0NRT,280,5.0,N\n" for n in range(2)]
    firms = tmp_path / "firms.csv"
    firms.write_text(HEADER + "".join(rows))
    ingest_firms(workspace, firms)
    empty = np.array([], dtype=np.int64)
    flat = Baseline(
        BaselineParams(), [2019], np.ones(24), np.full(24, 0.001), empty, empty, empty, np.array([])
    )
    with workspace.engine.begin() as conn:
        save_baseline(conn, flat)
    found = compute_anomalies(
        workspace, dt.date(2026, 1, 1), dt.date(2026, 1, 31), AnomalyParams(p_threshold=1e-4)
    )
    assert [a["date"] for a in found] == ["2026-01-03", "2026-01-13"]
    with workspace.engine.begin() as conn:
        report, _ = add_report(conn, b"two reports", "jsonl", "r.jsonl")
        add_incidents(
            conn,
            report,
            [shelling("near", 37.08, 48.07, "2026-01-04"), shelling("far", 36.0, 47.0, "2026-01-04")],
        )
        clusters = {c["members"][0]: c for c in recluster(conn)}
    near, far = clusters["near"], clusters["far"]
    assert [link["anomaly"] for link in near["thermal_anomalies"]] == ["ta-20260103-480-370"]
    assert near["grade"]["credibility"] == 2 and far["grade"]["credibility"] == 3
    assert "raised from 3 to 2 by an independent sensor" in near["grade"]["rationale"][-1]
    assert far["thermal_anomalies"] == []
