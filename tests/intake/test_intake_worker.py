"""Large files are parsed in a second process (intake/_worker.py). Here every file takes that path, and
the ingest tests run again on it: same rows, same errors naming the same rows, same all-or-nothing."""

from __future__ import annotations

import multiprocessing

import pytest

import truce.intake.ingest as ingest_module
from truce.intake import _worker, ingest_file
from truce.intake.registry import STREAM_READERS

from .test_intake_ingest import (  # noqa: F401 (collected again here, on the worker's path)
    DATA,
    _counts,
    test_a_bad_last_row_leaves_the_store_unchanged,
    test_a_failing_store_write_rolls_back_the_report,
    test_a_repeated_id_within_a_file_is_refused,
    test_acled_rows_are_all_kept,
    test_an_id_from_another_file_is_refused_naming_the_row,
    test_each_format_ingests_and_reingest_is_a_no_op,
    test_mapping_and_source_are_applied,
    test_progress_reports_reading_then_storing,
)
from .test_intake_rows import test_ingest_stores_the_rows_the_model_path_stored  # noqa: F401


@pytest.fixture(autouse=True)
def every_file_in_a_worker(monkeypatch):
    """Every streamed file goes to the worker, which must really be used (and gone afterwards)."""
    started = []
    real = _worker.parsed_in_worker

    def counted(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        started.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(_worker, "WORKER_BYTES", 0)
    monkeypatch.setattr(ingest_module, "parsed_in_worker", counted)
    monkeypatch.setattr(_worker.os, "cpu_count", lambda: 2)
    yield started
    assert multiprocessing.active_children() == []


def test_the_worker_is_used_for_streamed_formats(workspace, every_file_in_a_worker):
    ingest_file(workspace, DATA / "incidents_sample.csv", "csv")
    ingest_file(workspace, DATA / "incidents_sample.geojson", "geojson")  # parsed whole, here
    assert every_file_in_a_worker == ["csv"]


def test_a_failure_in_the_worker_is_reported_and_writes_nothing(workspace, monkeypatch):
    def broken(source, **options):  # noqa: ANN001, ANN003, ANN202
        raise KeyError("a bug")
        yield

    monkeypatch.setitem(STREAM_READERS, "csv", STREAM_READERS["csv"].__class__(broken, "row"))
    with pytest.raises(RuntimeError, match="KeyError: 'a bug'"):
        ingest_file(workspace, DATA / "incidents_sample.csv", "csv")
    assert _counts(workspace) == (0, 0, 0)


def test_small_files_are_parsed_here(monkeypatch):
    monkeypatch.setattr(_worker, "WORKER_BYTES", 8 << 20)
    checked = _worker.FileScan("0" * 64, (8 << 20) - 1, 10)
    assert not _worker.worth_a_worker(checked)
    assert _worker.worth_a_worker(_worker.FileScan("0" * 64, 8 << 20, 10))
    monkeypatch.setattr(_worker.os, "cpu_count", lambda: 1)
    assert not _worker.worth_a_worker(_worker.FileScan("0" * 64, 8 << 20, 10))
