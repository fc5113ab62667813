"""Reading the stored incidents as columns, a batch of rows at a time, with shared text values."""

from __future__ import annotations

import dataclasses

import numpy as np

from truce.assess import evidence as evidence_module
from truce.assess.evidence import load_evidence
from truce.store import open_workspace


def test_batches_give_the_columns_one_read_gives(demo_dir, monkeypatch):
    workspace = open_workspace(str(demo_dir / "truce.db"))
    with workspace.engine.connect() as conn:
        whole = load_evidence(conn)
        monkeypatch.setattr(evidence_module, "_BATCH", 3)  # many batches, the last one short
        batched = load_evidence(conn)
    workspace.engine.dispose()
    assert len(whole) > 6 and len(whole) % 3
    for field in dataclasses.fields(whole):
        ours, theirs = getattr(batched, field.name), getattr(whole, field.name)
        assert ours.dtype == theirs.dtype
        assert np.array_equal(ours, theirs, equal_nan=ours.dtype.kind == "f"), field.name
    # Each distinct type, status or oblast is one string object, however many incidents share it.
    for name in ("type", "status", "admin1", "actor"):
        column = getattr(batched, name)
        assert len({id(value) for value in column}) == len(set(column)), name
