"""Shared fixtures: a fresh workspace per test, and the CLI run in-process."""

from __future__ import annotations

import itertools
import signal

import pytest

from truce.cli.main import main
from truce.store import open_workspace
from truce.store.local_cluster import ClusterUnavailable, LocalCluster

STORES = ("sqlite", "postgresql")
_database_numbers = itertools.count(1)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "both_stores: run the test on SQLite and on PostgreSQL + PostGIS (a throw-away cluster)"
    )


def pytest_generate_tests(metafunc):
    if not metafunc.definition.get_closest_marker("both_stores") or "store_kind" not in metafunc.fixturenames:
        return
    chosen = any("store_kind" in m.args[0] for m in metafunc.definition.iter_markers("parametrize"))
    if not chosen:  # a test may name its store itself (one that tests PostgreSQL's locks, say)
        metafunc.parametrize("store_kind", STORES, indirect=True)


@pytest.fixture(scope="session")
def pg_cluster():
    """One throw-away PostgreSQL cluster for the whole run (stopped and removed at the end, also
    after a failure). Skips, with the reason, only where PostgreSQL or PostGIS is not installed."""
    try:
        cluster = LocalCluster()
    except ClusterUnavailable as missing:
        pytest.skip(f"PostgreSQL tests need the server: {missing}")

    def interrupted(signum, frame):
        raise KeyboardInterrupt  # pytest then tears the session down, and the cluster with it

    previous = signal.signal(signal.SIGTERM, interrupted)  # a `timeout` or CI stopping the run
    try:
        with cluster:
            yield cluster
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.fixture(scope="session")
def pg_empty_template(pg_cluster):
    """A migrated, empty workspace database that each test's database is copied from."""
    url = pg_cluster.create_database("truce_empty")
    open_workspace(url, create=True).engine.dispose()
    return "truce_empty"


def new_pg_database(cluster, template: str, request) -> str:
    """A private database copied from `template`, dropped after the test."""
    name = f"t{next(_database_numbers)}"
    url = cluster.create_database(name, template=template)
    request.addfinalizer(lambda: cluster.drop_database(name))
    return url


@pytest.fixture
def store_kind(request):
    return getattr(request, "param", "sqlite")


@pytest.fixture
def db_path(store_kind, tmp_path, request, monkeypatch):
    """The test's workspace database: a SQLite file, or (tests marked both_stores, second run) a
    PostgreSQL database whose keys live in tmp_path."""
    if store_kind == "sqlite":
        return str(tmp_path / "ws.db")
    cluster = request.getfixturevalue("pg_cluster")
    monkeypatch.setenv("TRUCE_HOME", str(tmp_path))
    return new_pg_database(cluster, request.getfixturevalue("pg_empty_template"), request)


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


@pytest.fixture(scope="session")
def pg_demo(pg_cluster, tmp_path_factory):
    """The demo built on PostgreSQL once per session: (template database name, its keys' folder)."""
    from truce.demo import build_demo

    home = tmp_path_factory.mktemp("pg-demo")
    build_demo(home, db=pg_cluster.create_database("truce_demo")).engine.dispose()
    return "truce_demo", home


@pytest.fixture
def demo_copy(store_kind, demo_dir, tmp_path, request, monkeypatch):
    """A private copy of the demo workspace (database and keys) that a test may change: a SQLite
    file, or (tests marked both_stores, second run) a PostgreSQL database URL with keys in tmp_path."""
    import shutil

    from truce.store import copy_workspace

    if store_kind == "sqlite":
        return copy_workspace(demo_dir / "truce.db", tmp_path)
    template, home = request.getfixturevalue("pg_demo")
    shutil.copytree(home / "keys", tmp_path / "keys")
    monkeypatch.setenv("TRUCE_HOME", str(tmp_path))
    return new_pg_database(request.getfixturevalue("pg_cluster"), template, request)


@pytest.fixture
def pg_copy(request):
    """pg_copy(template) -> the URL of a private copy of a template database, dropped after the test."""
    return lambda template: new_pg_database(request.getfixturevalue("pg_cluster"), template, request)


@pytest.fixture
def sql():
    """sql(db, statement, **params): one SQL statement on a workspace database (file path or URL),
    in its own transaction; returns the rows, if any. For tests that tamper with a store."""
    import sqlalchemy as sa

    def run(db, statement: str, **params):
        engine = open_workspace(str(db)).engine
        try:
            with engine.begin() as conn:
                result = conn.execute(sa.text(statement), params)
                return result.all() if result.returns_rows else []
        finally:
            engine.dispose()

    return run
