"""Which incidents are protected allegations: the query every publish, report and party's request
asks, answered from the few protected reports, never by scanning every incident."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from truce.model import Incident
from truce.store.api_tables import api_report_access, protected_incidents
from truce.store.records import add_incidents, add_report


def _incident(key: str) -> Incident:
    location = {"lon": 36.26, "lat": 47.66, "precision": "settlement", "country": "UA"}
    return Incident.model_validate(
        {"id": key, "type": "shelling", "date": dt.date(2026, 1, 5).isoformat(), "location": location}
    )


def _report(conn, name: str, keys: list[str], owner: str | None = None, protected: bool = False) -> None:
    report, _ = add_report(conn, name.encode(), "jsonl", name)
    add_incidents(conn, report, [_incident(k) for k in keys])
    if owner or protected:
        values = {"owner_party": owner, "protected": int(protected), "submitted_by": f"{owner}-liaison"}
        values |= {"kind": "structured", "submitted_at": "2026-01-06T08:00:00+00:00"}
        conn.execute(insert(api_report_access).values(report_id=report, **values))


@pytest.fixture
def filed(workspace):
    with workspace.engine.begin() as conn:
        _report(conn, "public", ["pub-1", "pub-2"])
        _report(conn, "ua-open", ["ua-open-1"], owner="UA")
        _report(conn, "ua-secret", ["ua-1", "ua-2"], owner="UA", protected=True)
        _report(conn, "ru-secret", ["ru-1"], owner="RU", protected=True)
    return workspace


@pytest.mark.both_stores
def test_protected_incidents_are_every_protected_report_s_or_the_other_parties(filed):
    with filed.engine.connect() as conn:
        assert set(conn.execute(protected_incidents()).scalars()) == {"ua-1", "ua-2", "ru-1"}
        assert set(conn.execute(protected_incidents("UA")).scalars()) == {"ru-1"}
        assert set(conn.execute(protected_incidents("RU")).scalars()) == {"ua-1", "ua-2"}


def test_sqlite_finds_them_through_the_report_index_without_scanning_incidents(filed):
    for query in (protected_incidents(), protected_incidents("UA")):
        sql = str(query.compile(filed.engine, compile_kwargs={"literal_binds": True}))
        with filed.engine.connect() as conn:
            plan = " | ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}"))
        assert "SEARCH incidents USING INDEX ix_incidents_report" in plan, plan
        assert "SCAN incidents" not in plan, plan
