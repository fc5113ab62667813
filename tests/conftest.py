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


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory):
    """The demo workspace (`make demo`), built once per test session."""
    from truce.demo import build_demo

    out = tmp_path_factory.mktemp("demo")
    build_demo(out)
    return out


@pytest.fixture
def demo_copy(demo_dir, tmp_path):
    """A private copy of the demo workspace (database and keys) that a test may change."""
    from truce.store import copy_workspace

    return copy_workspace(demo_dir / "truce.db", tmp_path)
