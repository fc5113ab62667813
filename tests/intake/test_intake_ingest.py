"""ingest_file: one transaction per file, re-ingest is a no-op, a bad row writes nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from truce.errors import UserError
from truce.intake import (
    READERS,
    IngestResult,
    ingest_file,
    load_mapping,
    read_file,
    register_reader,
)
from truce.model import Incident
from truce.store.records import iter_incidents, report_bytes
from truce.store.schema import incidents, reports, sources

DATA = Path(__file__).parent / "data"
FIXTURES = [
    ("csv", DATA / "incidents_sample.csv", 5),
    ("geojson", DATA / "incidents_sample.geojson", 5),
    ("jsonl", DATA / "incidents_sample.jsonl", 3),
    ("acled", DATA / "acled_ukraine_sample.csv", 30),
]


def _counts(workspace) -> tuple[int, int, int]:
    with workspace.engine.connect() as conn:
        return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one()
                     for t in (reports, incidents, sources))


@pytest.mark.parametrize(("fmt", "path", "count"), FIXTURES)
def test_each_format_ingests_and_reingest_is_a_no_op(workspace, fmt, path, count):
    first = ingest_file(workspace, path, fmt)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert first.report_id == f"rep-{sha[:16]}"
    assert (first.new, first.incidents) == (True, count)
    assert _counts(workspace) == (1, count, 0)
    again = ingest_file(workspace, path, fmt)
    assert again == IngestResult(first.report_id, False, count)
    assert _counts(workspace) == (1, count, 0)
    with workspace.engine.connect() as conn:
        stored = list(iter_incidents(conn))
        row = conn.execute(select(reports.c.format, reports.c.filename, reports.c.size)).one()
        kept = report_bytes(conn, first.report_id)
    assert row == (fmt, path.name, path.stat().st_size)
    assert kept == path.read_bytes()  # the raw bytes are kept
    assert {i.report_id for i in stored} == {first.report_id}
    assert sorted(i.id for i in stored) == sorted(i.id for i in read_file(path, fmt))


def test_mapping_and_source_are_applied(workspace):
    result = ingest_file(workspace, DATA / "osint_team_sheet.csv", "csv",
                         mapping=load_mapping(DATA / "osint_team_mapping.yaml"), source_id="osint-team-a")
    assert result.incidents == 4
    with workspace.engine.connect() as conn:
        assert conn.execute(select(reports.c.source_id)).scalar_one() == "osint-team-a"
        assert conn.execute(select(sources.c.id, sources.c.reliability)).one() == ("osint-team-a", "F")


def test_acled_rows_are_all_kept(workspace):
    result = ingest_file(workspace, DATA / "acled_ukraine_sample.csv", "acled")
    assert (result.incidents, result.skipped) == (30, {})


def test_a_bad_last_row_leaves_the_store_unchanged(workspace, tmp_path):
    ingest_file(workspace, DATA / "incidents_sample.jsonl", "jsonl")
    before = _counts(workspace)
    rows = "".join(f"x{n},shelling,2026-01-05,48.{n},37.5\n" for n in range(500))
    path = tmp_path / "late.csv"
    bad = "x500,shelling,2026-01-05,north,37.5\n"
    path.write_text("id,type,date,lat,lon\n" + rows + bad, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        ingest_file(workspace, path, "csv")
    assert str(caught.value) == f"{path}:502: row 501: lat: expected a number between -90 and 90, got 'north'"
    assert _counts(workspace) == before


def test_a_failing_store_write_rolls_back_the_report(workspace, tmp_path, monkeypatch):
    import truce.intake.ingest as ingest_module

    def broken(conn, report_id, items):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest_module, "add_incidents", broken)
    with pytest.raises(RuntimeError):
        ingest_file(workspace, DATA / "incidents_sample.csv", "csv", source_id="team")
    assert _counts(workspace) == (0, 0, 0)


def test_an_id_from_another_file_is_refused_naming_the_row(workspace, tmp_path):
    ingest_file(workspace, DATA / "incidents_sample.csv", "csv")
    before = _counts(workspace)
    path = tmp_path / "later.csv"
    path.write_text("id,type,date\nnew-1,shelling,2026-01-09\nom-003,shelling,2026-01-09\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        ingest_file(workspace, path, "csv")
    sha = hashlib.sha256((DATA / "incidents_sample.csv").read_bytes()).hexdigest()
    assert str(caught.value) == (
        f"{path}:3: row 2: incident id 'om-003' is already in the store from report rep-{sha[:16]} "
        "(incidents_sample.csv); give it another id, or leave id empty to have one made")
    assert _counts(workspace) == before


def test_a_repeated_id_within_a_file_is_refused(workspace, tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text("id,type,date\na,shelling,2026-01-09\nb,shelling,2026-01-09\na,explosion,2026-01-10\n",
                    encoding="utf-8")
    with pytest.raises(UserError) as caught:
        ingest_file(workspace, path, "csv")
    assert str(caught.value) == f"{path}:4: row 3: incident id 'a' repeats row 1; ids must be unique"
    assert _counts(workspace) == (0, 0, 0)


def test_a_geojson_clash_names_the_feature_line(workspace, tmp_path):
    path = tmp_path / "twice.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [\n'
                    '{"type": "Feature", "id": "g", "geometry": null, "properties": {"type": "explosion", '
                    '"date": "2026-01-05"}},\n'
                    '{"type": "Feature", "id": "g", "geometry": null, "properties": {"type": "explosion", '
                    '"date": "2026-01-06"}}\n]}\n', encoding="utf-8")
    with pytest.raises(UserError) as caught:
        ingest_file(workspace, path, "geojson")
    assert str(caught.value) == f"{path}:3: feature 2: incident id 'g' repeats feature 1; ids must be unique"


def test_progress_reports_reading_then_storing(workspace):
    calls = []
    ingest_file(workspace, DATA / "acled_ukraine_sample.csv", "acled", progress=lambda *a: calls.append(a))
    assert calls[0][0] == "reading" and calls[-1] == ("storing", 30, 30)
    assert {phase for phase, _, _ in calls} == {"reading", "storing"}


def test_unknown_format_and_unreadable_file(workspace, tmp_path):
    with pytest.raises(UserError) as caught:
        ingest_file(workspace, DATA / "incidents_sample.csv", "xlsx")
    assert str(caught.value) == f"{DATA / 'incidents_sample.csv'}: unknown format 'xlsx'; known formats: " + \
        ", ".join(sorted(READERS))
    with pytest.raises(UserError, match="cannot read the file"):
        ingest_file(workspace, tmp_path / "missing.csv", "csv")


def test_registered_readers_are_used_by_ingest(workspace, tmp_path):
    def read_lines(data, *, path=None, mapping=None, progress=None):
        text = data.decode("utf-8") if isinstance(data, bytes) else Path(data).read_text()
        return [Incident(id=f"t-{n}", type="explosion", date="2026-01-05", note=line)
                for n, line in enumerate(text.splitlines(), 1)]

    register_reader("plaintext-test", read_lines)
    try:
        path = tmp_path / "notes.txt"
        path.write_text("boom at dawn\nanother\n", encoding="utf-8")
        result = ingest_file(workspace, path, "plaintext-test")
        assert result.incidents == 2
        assert [i.note for i in read_file(path, "plaintext-test")] == ["boom at dawn", "another"]
    finally:
        READERS.pop("plaintext-test")
    with pytest.raises(ValueError):
        register_reader("no spaces", read_lines)
