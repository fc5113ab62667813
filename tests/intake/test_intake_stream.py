"""Streaming ingest: a file is parsed and stored piece by piece in one transaction, never held whole."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import func, select, update

import truce.intake._source as source_module
import truce.intake.ingest as ingest_module
from truce.errors import UserError
from truce.intake import ingest_file, read_csv
from truce.intake._common import decode_utf8
from truce.publish.ledger import publish, verify_workspace
from truce.store.records import iter_incidents, report_bytes
from truce.store.schema import incidents, report_pieces, reports

HEADER = "id,type,date,lat,lon,note\n"


def _rows(count: int, start: int = 0) -> str:
    return "".join(f"s{n},shelling,2026-01-05,48.{n % 1000:03d},37.5,row {n} of a long file\n"
                   for n in range(start, start + count))


def _count(workspace, table) -> int:
    with workspace.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def _nothing_stored(workspace) -> bool:
    return all(_count(workspace, table) == 0 for table in (reports, incidents, report_pieces))


@pytest.fixture
def small_pieces(monkeypatch):
    """Pieces of 512 bytes and batches of 50 incidents, so a small file takes many of each."""
    monkeypatch.setattr(source_module, "PIECE_BYTES", 512)
    monkeypatch.setattr(ingest_module, "_WRITE_BATCH", 50)


@pytest.mark.both_stores
def test_pieces_are_stored_while_rows_are_parsed(workspace, tmp_path, small_pieces, monkeypatch):
    path = tmp_path / "long.csv"
    path.write_text(HEADER + _rows(400), encoding="utf-8")
    pieces_seen: list[int] = []
    real = ingest_module.add_incidents

    def watching(conn, report_id, items):
        pieces_seen.append(conn.execute(select(func.count()).select_from(report_pieces)).scalar_one())
        return real(conn, report_id, items)

    monkeypatch.setattr(ingest_module, "add_incidents", watching)
    result = ingest_file(workspace, path, "csv")
    assert (result.new, result.incidents) == (True, 400)
    total = -(-path.stat().st_size // 512)
    assert len(pieces_seen) == 8  # 400 incidents in batches of 50
    assert pieces_seen[0] < total // 4 and pieces_seen == sorted(pieces_seen)  # not read whole first
    assert _count(workspace, report_pieces) == total
    with workspace.engine.connect() as conn:
        assert report_bytes(conn, result.report_id) == path.read_bytes()
        assert [i.id for i in iter_incidents(conn)] == sorted(i.id for i in read_csv(path))
    publish(workspace)
    assert verify_workspace(workspace) is None


def test_verify_finds_a_changed_piece(workspace, tmp_path, small_pieces):
    path = tmp_path / "long.csv"
    path.write_text(HEADER + _rows(100), encoding="utf-8")
    result = ingest_file(workspace, path, "csv")
    publish(workspace)
    with workspace.engine.begin() as conn:
        conn.execute(update(report_pieces).where(report_pieces.c.seq == 3).values(data=b"x" * 512))
    problem = verify_workspace(workspace)
    assert problem == f"report {result.report_id}: its stored bytes no longer match their SHA-256"


@pytest.mark.both_stores
def test_a_repeat_in_a_later_batch_names_the_first_row(workspace, tmp_path, small_pieces):
    path = tmp_path / "again.csv"
    path.write_text(HEADER + _rows(120) + "s7,explosion,2026-01-06,,,\n", encoding="utf-8")
    with pytest.raises(UserError) as caught:
        ingest_file(workspace, path, "csv")
    assert str(caught.value) == f"{path}:122: row 121: incident id 's7' repeats row 8; ids must be unique"
    assert _nothing_stored(workspace)


def test_a_bad_row_after_many_batches_leaves_nothing(workspace, tmp_path, small_pieces):
    path = tmp_path / "late.jsonl"
    good = "".join(f'{{"id": "j{n}", "type": "explosion", "date": "2026-01-05"}}\n' for n in range(300))
    path.write_text(good + '{"id": "j300", "type": "explosion", "date": "2026-13-05"}\n', encoding="utf-8")
    with pytest.raises(UserError, match=r"late.jsonl:301: record 301: date"):
        ingest_file(workspace, path, "jsonl")
    assert _nothing_stored(workspace)


def test_a_file_changed_while_read_is_refused(workspace, tmp_path, monkeypatch):
    path = tmp_path / "moving.csv"
    path.write_text(HEADER + _rows(20), encoding="utf-8")
    real_scan = ingest_module.scan

    def scan_then_change(stream, name):
        checked = real_scan(stream, name)
        with path.open("a", encoding="utf-8") as out:  # another program appends after the check
            out.write(_rows(1, start=20))
        return checked

    monkeypatch.setattr(ingest_module, "scan", scan_then_change)
    with pytest.raises(UserError) as caught:
        ingest_file(workspace, path, "csv")
    assert str(caught.value) == f"{path}: the file changed while it was being read; ingest it again"
    assert (_count(workspace, reports), _count(workspace, incidents)) == (0, 0)


@pytest.mark.parametrize("at", [510, 511, 512, 513, 1100])
def test_a_bad_byte_is_named_as_a_whole_file_decode_names_it(tmp_path, small_pieces, at):
    """Also when the byte, or the character it breaks, straddles two pieces."""
    text = (HEADER + _rows(40)).encode("utf-8")
    content = text[:at] + "й".encode()[:1] + b"x" + text[at:]
    with pytest.raises(UserError) as whole:
        decode_utf8(content, "f.csv")
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(UserError) as streamed:
        source_module.scan(path.open("rb"), "f.csv")
    assert str(streamed.value) == str(whole.value)
    assert f"at offset {at}" in str(streamed.value)


def test_a_character_split_across_pieces_is_read_whole(workspace, tmp_path, small_pieces):
    path = tmp_path / "names.csv"
    rows = "".join(f"u{n},shelling,2026-01-05,Покровськ {n}\n" for n in range(200))
    path.write_text("id,type,date,location_name\n" + rows, encoding="utf-8")
    result = ingest_file(workspace, path, "csv")
    with workspace.engine.connect() as conn:
        names = {i.location.name for i in iter_incidents(conn)}
        assert hashlib.sha256(report_bytes(conn, result.report_id)).hexdigest() == \
            hashlib.sha256(path.read_bytes()).hexdigest()
    assert names == {f"Покровськ {n}" for n in range(200)}


def _peak_while_ingesting(workspace, path) -> int:
    import tracemalloc

    tracemalloc.start()
    try:
        ingest_file(workspace, path, "csv")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_file(tmp_path, small_pieces):
    from truce.store import open_workspace

    peaks = {}
    for count in (1_000, 10_000):
        path = tmp_path / f"rows-{count}.csv"
        path.write_text(HEADER + _rows(count), encoding="utf-8")
        workspace = open_workspace(str(tmp_path / f"ws-{count}" / "truce.db"), create=True)
        peaks[count] = _peak_while_ingesting(workspace, path)
        assert _count(workspace, incidents) == count
        workspace.engine.dispose()
    # Ten times the rows, about the same peak (held whole, the incidents alone would be ~10x).
    assert peaks[10_000] < 1.5 * peaks[1_000], peaks
