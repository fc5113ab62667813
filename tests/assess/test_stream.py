"""A stored run assessed a chunk of incidents at a time (truce.assess.stream) stores and logs what
assessing every incident at once does: the same findings row for row, the same run record, the same
log byte for byte and the same tree, over runs that add, change and keep findings, with and without
a protected allegation. A deliberately broken stream is caught by the same comparison."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from truce.store import open_workspace
from truce.store.schema import assessment_runs

from .test_bulk_publish import _protect_a_report, _stored, demo_copies_with_generated


@pytest.fixture
def two_workspaces(demo_dir, tmp_path, cli, monkeypatch):
    import truce.assess.stream
    import truce.store.records

    monkeypatch.setattr(truce.store.records, "now_utc", lambda: "2026-01-31T08:00:00+00:00")
    monkeypatch.setattr(truce.assess.stream, "CHUNK", 97)  # many chunks, the last one short
    return demo_copies_with_generated(demo_dir, tmp_path, cli, ("streamed", "whole"), rows=1300, seed=29)


def _as_one_list(monkeypatch) -> None:
    """Make `truce assess` assess every incident at once (engine.assess over the whole evidence) and
    store the list, as it did before runs were streamed."""
    import truce.assess.run as run

    def whole(workspace, path, agreement, overrides, cut_off, declarations, progress):
        result = run.assess_workspace(
            workspace, path, cut_off=cut_off, declarations=declarations, store=False, terms=agreement
        )
        result.run_id, result.published = run.store_run(workspace, path, agreement, result, cut_off)
        return result

    monkeypatch.setattr(run, "_assess_and_store", whole)


def _runs(db: str) -> list[tuple]:
    workspace = open_workspace(db)
    with workspace.engine.connect() as conn:
        columns = [c for c in assessment_runs.c if c.name != "started_at"]  # the clock's
        rows = [tuple(r) for r in conn.execute(select(*columns).order_by(assessment_runs.c.id))]
    workspace.engine.dispose()
    return rows


def _assess_both(cli, monkeypatch, streamed: str, whole: str, until: str) -> tuple[dict, dict]:
    status, out, err = cli("assess", "--until", until, "--json", db=streamed)
    assert status == 0, err
    with monkeypatch.context() as patched:
        _as_one_list(patched)
        status, expected, err = cli("assess", "--until", until, "--json", db=whole)
    assert status == 0, err
    return json.loads(out), json.loads(expected)


@pytest.mark.parametrize("protected", [False, True], ids=["public", "with-a-protected-allegation"])
def test_a_streamed_run_stores_and_logs_what_a_whole_run_does(two_workspaces, cli, monkeypatch, protected):
    streamed, whole = two_workspaces
    if protected:
        for db in two_workspaces:
            _protect_a_report(db)
    for until in ("2026-01-10", "2026-02-01", "2026-02-01", "2026-01-25"):  # adds, keeps, removes
        out, expected = _assess_both(cli, monkeypatch, streamed, whole, until)
        assert out == expected
        assert _stored(streamed) == _stored(whole)
        assert _runs(streamed) == _runs(whole)
    rows, entries, _ = _stored(streamed)
    kinds = {row[3] for row in rows}
    assert {"hostilities", "zone_exclusion", "protected_site", "trigger", "territory_freeze"} <= kinds
    assert len(rows) > 300 and out["findings"] == len(rows)
    assert sum(
        sum(v for k, v in c.items() if "inside_" not in k) for c in out["by_provision"].values()
    ) == len(rows)


def _conclude_nothing(monkeypatch) -> None:
    """Summaries and evidence lines are never added."""
    import truce.assess.stream as stream

    monkeypatch.setattr(stream, "_concluded", lambda provision, ctx, whole: [])


def _lose_the_last_chunk(monkeypatch) -> None:
    import truce.assess.stream as stream

    chunks = stream.evidence_chunks

    def all_but_the_last(*args, **kwargs):
        parts = list(chunks(*args, **kwargs))
        return iter(parts[:-1])

    monkeypatch.setattr(stream, "evidence_chunks", all_but_the_last)


def _counts_of_the_first_chunk(monkeypatch) -> None:
    import truce.assess.stream as stream

    add_up = stream._add_up

    def first_only(whole, part, batch):
        if whole.counts:
            part.counts = {}
        add_up(whole, part, batch)

    monkeypatch.setattr(stream, "_add_up", first_only)


@pytest.mark.parametrize("broken", [_conclude_nothing, _lose_the_last_chunk, _counts_of_the_first_chunk])
def test_the_comparison_catches_a_broken_stream(two_workspaces, cli, monkeypatch, broken):
    streamed, whole = two_workspaces
    with monkeypatch.context() as patched:
        broken(patched)
        # 2026-01-01: no finding for the zones, so their summary counts what is inside them
        outputs = [
            _assess_both(cli, monkeypatch, streamed, whole, until) for until in ("2026-01-01", "2026-02-01")
        ]
    assert any(out != expected for out, expected in outputs) or _stored(streamed) != _stored(whole)
