"""Fixtures for the verify stage: per-article seed incidents, their sources, harder cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from truce.model import Incident
from truce.verify.grading import Source

DATA = Path(__file__).parent / "data"


def load_incidents(name: str) -> list[Incident]:
    with (DATA / name).open(encoding="utf-8") as f:
        return [Incident.model_validate_json(line) for line in f if line.strip()]


@pytest.fixture(scope="session")
def seed_incidents() -> list[Incident]:
    return load_incidents("seed_articles.jsonl")


@pytest.fixture(scope="session")
def hard_incidents() -> list[Incident]:
    return load_incidents("hard_cases.jsonl")


@pytest.fixture(scope="session")
def seed_sources() -> dict[str, Source]:
    with (DATA / "seed_sources.jsonl").open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return {row["id"]: Source.from_row(row) for row in rows}


@pytest.fixture(scope="session")
def seed_sources_by_incident(seed_incidents, seed_sources) -> dict[str, Source]:
    return {i.id: seed_sources[i.source] for i in seed_incidents}
