"""Shared fixtures: a fresh workspace per test, and the CLI run in-process."""

from __future__ import annotations

import pytest

from truce.cli.main import main
from truce.store import open_workspace


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "ws.db")


@pytest.fixture
def workspace(db_path):
    return open_workspace(db_path, create=True)


@pytest.fixture
def cli(db_path, capsys):
    """Run `truce --db <tmp> ARGS...`; returns (exit status, stdout, stderr)."""

    def run(*args: str, db: str | None = db_path):
        argv = (["--db", db] if db else []) + list(args)
        status = main(argv)
        out, err = capsys.readouterr()
        return status, out, err

    return run
