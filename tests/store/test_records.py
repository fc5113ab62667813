"""Incidents and clusters dated after 2038-01-19 (past a signed 32-bit count of seconds)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from truce.model import Incident
from truce.store.records import add_incidents, add_report, ensure_source, incidents_between, iter_incidents
from truce.store.schema import incidents
from truce.verify.store import recluster, stored_clusters

AFTER_2038 = dt.date(2040, 3, 1)


def _incident(key: str, day: dt.date) -> Incident:
    return Incident.model_validate(
        {
            "id": key,
            "type": "shelling",
            "date": day.isoformat(),
            "location": {"lon": 36.26, "lat": 47.66, "precision": "settlement", "country": "UA"},
            "actor": "RU",
            "status": "claimed",
        }
    )


@pytest.mark.both_stores
def test_an_incident_dated_2040_is_stored_and_found_by_its_dates(workspace):
    with workspace.engine.begin() as conn:
        source = ensure_source(conn, "monitor-1", "Monitor 1")
        report, _ = add_report(conn, b"late", "jsonl", None, source)
        add_incidents(conn, report, [_incident("early", dt.date(2026, 1, 5)), _incident("late", AFTER_2038)])
    with workspace.engine.connect() as conn:
        (t_end,) = conn.execute(select(incidents.c.t_end).where(incidents.c.id == "late")).one()
        assert t_end > 2**31  # really past 2038 in the column
        assert [i.id for i in iter_incidents(conn, since=dt.date(2039, 12, 31))] == ["late"]
        assert [i.id for i in iter_incidents(conn, until=dt.date(2039, 12, 31))] == ["early"]
        query = incidents_between(select(incidents.c.id), AFTER_2038, AFTER_2038)
        assert conn.execute(query).scalars().all() == ["late"]
        # compared with a literal past 2**31 (what the API's filters send): no overflow
        past_2038 = select(incidents.c.id).where(incidents.c.t_start > 2**31 + 1)
        assert conn.execute(past_2038).scalars().all() == ["late"]


@pytest.mark.both_stores
def test_clusters_dated_2040_are_stored(workspace):
    with workspace.engine.begin() as conn:
        source = ensure_source(conn, "monitor-1", "Monitor 1")
        report, _ = add_report(conn, b"late", "jsonl", None, source)
        add_incidents(conn, report, [_incident("late", AFTER_2038)])
        recluster(conn)
    with workspace.engine.connect() as conn:
        stored = stored_clusters(conn)
    assert len(stored) == 1 and stored[0]["date"] == AFTER_2038.isoformat()


@pytest.mark.parametrize("store_kind", ["postgresql"], indirect=True)
def test_migrate_widens_the_times_of_a_store_made_before_0009(workspace):
    from alembic import command

    from truce.store.workspace import _alembic_config

    config = _alembic_config(workspace.engine)
    with workspace.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0008_team_store")
        source = ensure_source(conn, "monitor-1", "Monitor 1")
        report, _ = add_report(conn, b"early", "jsonl", None, source)
        add_incidents(conn, report, [_incident("early", dt.date(2026, 1, 5))])
    with workspace.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        report, _ = add_report(conn, b"late", "jsonl", None, "monitor-1")
        add_incidents(conn, report, [_incident("late", AFTER_2038)])
    with workspace.engine.connect() as conn:
        assert [i.id for i in iter_incidents(conn)] == ["early", "late"]


@pytest.mark.both_stores
def test_a_streamed_report_of_more_than_2_gib_keeps_its_size(workspace):
    from truce.store.records import add_streamed_report
    from truce.store.schema import reports

    size = 5 * 2**30  # a file of ten million CSV rows is about 2 GB
    with workspace.engine.begin() as conn:
        report_id, new = add_streamed_report(conn, "ab" * 32, size, "csv", "big.csv")
    with workspace.engine.connect() as conn:
        stored = conn.execute(select(reports.c.size).where(reports.c.id == report_id)).scalar_one()
    assert new and stored == size
