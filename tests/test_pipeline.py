"""`truce reextract`: stored text reports read again by the current extractor; earlier incident
versions kept, their digests logged, `truce verify` still passing, and tampering with them named."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, update

import truce.extract.pipeline
from truce.store import open_workspace
from truce.store.schema import incident_versions, incidents, reports

CORPUS = Path(__file__).parent / "extract" / "corpus" / "wire.jsonl"


@pytest.fixture
def ingested(cli, monkeypatch):
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()[:6]]
    text = "\n".join(json.dumps({k: r[k] for k in ("id", "published", "text")}) for r in rows)
    assert cli("init")[0] == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(text + "\n"))
    status, out, err = cli("ingest", "-", "--format", "text", "--json")
    assert status == 0, err
    return sorted(r["published"] for r in rows)


def _stored(db_path):
    with open_workspace(db_path).engine.connect() as conn:
        found = sorted(conn.execute(select(incidents.c.id, incidents.c.body)).all())
        versions = conn.execute(select(incident_versions).order_by(incident_versions.c.id)).all()
    return found, versions


def _reextract(cli, *args):
    status, out, err = cli("reextract", "--json", *args)
    assert status == 0, err
    return json.loads(out)


def test_the_same_extractor_changes_nothing(ingested, cli, db_path):
    before = _stored(db_path)
    result = _reextract(cli)
    assert result["reports"] == 6 and result["changed"] == 0 and result["extractor"].startswith("truce ")
    assert _stored(db_path) == before


def test_a_new_extractor_replaces_incidents_and_keeps_the_old_version(ingested, cli, db_path, monkeypatch):
    original = truce.extract.pipeline.extract_document
    first, _ = _stored(db_path)
    assert first

    def stricter(document):  # a new extractor that finds one incident fewer in each document
        return original(document)[:-1]

    monkeypatch.setattr(truce.extract.pipeline, "extract_document", stricter)
    result = _reextract(cli)
    now, versions = _stored(db_path)
    assert result["changed"] >= 1 and len(now) == len(first) - result["changed"]
    assert len(versions) == result["changed"] and {v.version for v in versions} == {1}
    kept = sorted(item["id"] for v in versions for item in json.loads(v.incidents))
    assert set(kept) <= {i for i, _ in first} and set(kept) - {i for i, _ in now}
    assert _reextract(cli)["changed"] == 0  # the same new extractor again: nothing more to replace
    assert cli("verify")[0] == 0

    monkeypatch.setattr(truce.extract.pipeline, "extract_document", original)
    assert _reextract(cli)["changed"] == result["changed"]  # back again: a second version is kept
    assert {v.version for v in _stored(db_path)[1]} == {1, 2}
    assert _stored(db_path)[0] == first
    assert cli("verify")[0] == 0


def test_tampering_with_a_kept_version_is_named(ingested, cli, db_path, monkeypatch):
    original = truce.extract.pipeline.extract_document
    monkeypatch.setattr(truce.extract.pipeline, "extract_document", lambda d: original(d)[:-1])
    assert _reextract(cli)["changed"] >= 1
    with open_workspace(db_path).engine.begin() as conn:
        conn.execute(update(incident_versions).values(incidents="[]"))
    status, _, err = cli("verify")
    assert status == 1 and "incidents of" in err and "no longer match" in err


def test_since_picks_reports_by_publication_day(ingested, cli):
    latest = ingested[-1]
    assert _reextract(cli, "--since", latest)["reports"] == ingested.count(latest)
    status, _, err = cli("reextract", "--since", "2026-13-01")
    assert status == 2 and "--since" in err


def test_every_article_of_the_corpus_reads_back_from_its_report():
    import datetime as dt

    from truce.extract.articles import article_from_report, report_text, split_articles

    folder = CORPUS.parent
    checked = 0
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            published = dt.date.fromisoformat(row["published"]) if row.get("published") else None
            for article in split_articles(row["text"], published):
                back = article_from_report(report_text(article), article.published)
                fields = ("text", "title", "dateline", "source", "published")
                assert [getattr(back, f) for f in fields] == [getattr(article, f) for f in fields]
                checked += 1
    assert checked > 250


def test_a_protected_reports_kept_version_is_a_commitment_in_the_log(ingested, cli, db_path, monkeypatch):
    from sqlalchemy import insert

    from truce.publish.log.tables import log_entries
    from truce.store.api_tables import api_report_access

    engine = open_workspace(db_path).engine
    with engine.begin() as conn:
        report_ids = [row[0] for row in conn.execute(select(reports.c.id))]
        for report_id in report_ids:
            conn.execute(
                insert(api_report_access).values(
                    report_id=report_id, owner_party="UA", protected=1, submitted_by="liaison-ua",
                    kind="text", submitted_at="2026-01-10T08:00:00+00:00",
                )
            )
    original = truce.extract.pipeline.extract_document
    monkeypatch.setattr(truce.extract.pipeline, "extract_document", lambda d: original(d)[:-1])
    assert _reextract(cli)["changed"] >= 1
    with engine.connect() as conn:
        logged = [body.decode() for (body,) in conn.execute(select(log_entries.c.body))]
    versions = [entry for entry in logged if '"kind":"incident_version"' in entry]
    assert versions and not any(r in entry for r in report_ids for entry in versions)
    assert cli("verify")[0] == 0


def test_workers_rewrite_in_parallel_transactions_on_postgresql(
    cli, pg_copy, pg_empty_template, tmp_path, monkeypatch
):
    """On PostgreSQL each worker reads, extracts and writes its own batch of reports in its own
    transaction; the store and the log end as a single-process run leaves them."""
    import truce.pipeline
    import truce.store.records
    from truce.publish.ledger import log_store
    from truce.publish.log.tables import log_entries

    moment = lambda: "2026-01-10T08:00:00+00:00"  # noqa: E731
    monkeypatch.setattr(truce.store.records, "now_utc", moment)
    monkeypatch.setattr(truce.pipeline, "now_utc", moment)
    monkeypatch.setenv("TRUCE_HOME", str(tmp_path))
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()[:12]]
    text = "\n".join(json.dumps({k: r[k] for k in ("id", "published", "text")}) for r in rows) + "\n"
    contents = {}
    for label, extra in (("single", []), ("workers", ["--workers", "2"])):
        db = pg_copy(pg_empty_template)
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))
        assert cli("ingest", "-", "--format", "text", db=db)[0] == 0
        engine = open_workspace(db).engine
        with engine.begin() as conn:  # an older extractor's reading: one incident fewer a report
            for (report_id,) in conn.execute(select(reports.c.id)):
                last = select(incidents.c.id).where(incidents.c.report_id == report_id)
                doomed = conn.execute(last.order_by(incidents.c.id.desc()).limit(1)).scalar()
                if doomed:
                    conn.execute(incidents.delete().where(incidents.c.id == doomed))
        if extra:  # the command itself writes nothing: the workers do
            monkeypatch.setattr(truce.pipeline, "_replace_batch", None)
        status, out, err = cli("reextract", "--json", *extra, db=db)
        assert status == 0, err
        with engine.connect() as conn:
            stored = sorted(tuple(row) for row in conn.execute(select(incidents)))
            versions = [c for c in incident_versions.c if c.name != "id"]  # a serial: commit order
            kept = sorted(tuple(row) for row in conn.execute(select(*versions)))
            log = [tuple(row) for row in conn.execute(select(log_entries.c.entry_id, log_entries.c.body))]
        contents[label] = (json.loads(out), stored, kept, log, log_store(open_workspace(db)).root())
        engine.dispose()
    single, workers = contents["single"], contents["workers"]
    assert single[0]["changed"] >= 6 and single[0] == workers[0]
    assert single[1] == workers[1] and single[2] == workers[2]  # incidents and kept versions, row for row
    assert single[3] == workers[3] and single[4] == workers[4]  # the log byte for byte, the same root


def test_a_workers_batch_is_one_transaction_and_a_retried_batch_writes_nothing_twice(
    cli, pg_copy, pg_empty_template, tmp_path, monkeypatch
):
    """A worker lost mid-batch leaves nothing of it (PostgreSQL rolls the transaction back), and a
    batch run again after it was committed (its result lost with the worker) changes nothing more."""
    from truce.pipeline import _Rewrite, _rewrite, extractor_fingerprint

    monkeypatch.setenv("TRUCE_HOME", str(tmp_path))
    db = pg_copy(pg_empty_template)
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()[:6]]
    text = "\n".join(json.dumps({k: r[k] for k in ("id", "published", "text")}) for r in rows) + "\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    assert cli("ingest", "-", "--format", "text", db=db)[0] == 0
    before = _stored(db)
    with open_workspace(db).engine.connect() as conn:
        ids = [report_id for (report_id,) in conn.execute(select(reports.c.id).order_by(reports.c.id))]
    task = _Rewrite(db, ids, extractor_fingerprint(), "2026-01-10T08:00:00+00:00")
    original = truce.extract.pipeline.extract_document
    seen = []

    def dies_on_the_third(document):  # the worker is lost after writing two reports of its batch
        seen.append(document.name)
        if len(seen) == 3:
            raise SystemExit("worker lost")
        return original(document)[:-1]

    monkeypatch.setattr(truce.extract.pipeline, "extract_document", dies_on_the_third)
    with pytest.raises(SystemExit):
        _rewrite(task)
    assert _stored(db) == before  # nothing of the batch

    monkeypatch.setattr(truce.extract.pipeline, "extract_document", lambda d: original(d)[:-1])
    changed, _ = _rewrite(task)
    after = _stored(db)
    assert changed >= 3 and after != before and len(after[1]) == changed
    assert _rewrite(task) == (0, 0) and _stored(db) == after  # run again: nothing written twice
