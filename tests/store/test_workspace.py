import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import truce.store
from truce.errors import UserError
from truce.store import open_workspace
from truce.store.schema import all_metadata
from truce.store.workspace import bulk_write_cache

GEOMETRY_TABLES = ("incidents", "findings", "control_snapshots")


def _postgis_only(obj, name, kind, reflected, compare_to):
    """PostGIS's own tables and the geometry columns the PostGIS migration adds on PostgreSQL only."""
    if kind == "table" and reflected and compare_to is None:
        return name not in {"spatial_ref_sys"}
    if kind == "column" and name == "geom":
        return False
    if kind == "index" and name and name.endswith("_geom"):
        return False
    return True


@pytest.mark.both_stores
def test_migrations_build_exactly_the_declared_schema(workspace):
    with workspace.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": _postgis_only})
        diff = compare_metadata(context, all_metadata())
    assert diff == []


@pytest.mark.both_stores
def test_geometry_columns_and_gist_indexes_only_on_postgis(workspace, store_kind):
    inspector = sa.inspect(workspace.engine)
    for table in GEOMETRY_TABLES:
        columns = {c["name"] for c in inspector.get_columns(table)}
        indexes = {i["name"] for i in inspector.get_indexes(table)}
        assert ("geom" in columns) == (store_kind == "postgresql")
        assert (f"ix_{table}_geom" in indexes) == (store_kind == "postgresql")


@pytest.mark.parametrize("store_kind", ["postgresql"], indirect=True)
def test_the_database_keeps_incident_points_in_step_with_lon_lat(workspace):
    with workspace.engine.begin() as conn:
        conn.exec_driver_sql("insert into sources (id, name, created_at) values ('s', 'S', 'now')")
        conn.exec_driver_sql(
            "insert into reports (id, sha256, format, received_at, size, content) "
            "values ('r', 'x', 'jsonl', 'now', 0, '')"
        )
        for key, lon, lat in (("a", 36.26, 47.66), ("b", None, None)):
            conn.execute(
                sa.text(
                    "insert into incidents (id, report_id, type, date, date_precision, t_start, t_end,"
                    " lon, lat, precision, status, body)"
                    " values (:id, 'r', 'shelling', '2026-01-05', 'day', 0, 1,"
                    " :lon, :lat, 'settlement', 'claimed', '{}')"
                ),
                {"id": key, "lon": lon, "lat": lat},
            )
        conn.exec_driver_sql("update incidents set lon = 30.52, lat = 50.45 where id = 'a'")
        rows = dict(
            conn.exec_driver_sql("select id, ST_AsText(geom) || ':' || ST_SRID(geom) from incidents").all()
        )
    assert rows == {"a": "POINT(30.52 50.45):4326", "b": None}


def test_sqlite_runs_in_wal_mode_with_foreign_keys(workspace):
    with workspace.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_bulk_writer_gets_its_own_larger_page_cache(workspace):
    with workspace.engine.connect() as writer, workspace.engine.connect() as reader:
        default = reader.exec_driver_sql("PRAGMA cache_size").scalar()
        bulk_write_cache(writer, 64)
        assert writer.exec_driver_sql("PRAGMA cache_size").scalar() == -64 * 1024  # KiB, as SQLite counts
        assert reader.exec_driver_sql("PRAGMA cache_size").scalar() == default


def test_opening_a_missing_workspace_is_a_user_error(tmp_path):
    try:
        open_workspace(str(tmp_path / "missing.db"))
    except UserError as error:
        assert "truce init" in str(error)
    else:
        raise AssertionError("expected a UserError")


@pytest.mark.both_stores
def test_init_is_idempotent(db_path):
    open_workspace(db_path, create=True)
    again = open_workspace(db_path, create=True)
    assert again.is_current()
    assert "incidents" in sa.inspect(again.engine).get_table_names()
    assert truce.store.Workspace is type(again)


def test_a_copy_holds_what_is_still_in_the_wal_and_the_keys(workspace, db_path, tmp_path):
    from pathlib import Path

    from truce.store import copy_workspace

    with workspace.engine.begin() as conn:
        conn.exec_driver_sql("insert into sources (id, name, created_at) values ('s1', 'S', 'now')")
    keys = Path(db_path).parent / "keys"
    keys.mkdir()
    (keys / "mission.key.pub").write_text("k\n")
    copied = copy_workspace(db_path, tmp_path / "copy")
    with open_workspace(str(copied)).engine.connect() as conn:
        assert conn.exec_driver_sql("select name from sources").scalar() == "S"
    assert (tmp_path / "copy" / "keys" / "mission.key.pub").read_text() == "k\n"


def test_init_makes_the_store_owner_only_and_serving_refuses_a_readable_one(tmp_path, cli):
    import os
    import stat

    from truce.store.workspace import check_private

    db = tmp_path / "private.db"
    old = os.umask(0o022)
    try:
        status, _, err = cli("init", db=str(db))
        assert status == 0, err
        ws = open_workspace(str(db))
        with ws.engine.begin() as conn:  # a write, so the -wal and -shm files exist
            conn.exec_driver_sql("CREATE TABLE probe (x)")
        files = [p for p in tmp_path.iterdir() if p.name.startswith("private.db")]
        assert {p.name for p in files} >= {"private.db", "private.db-wal", "private.db-shm"}
        assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files), [
            oct(p.stat().st_mode) for p in files
        ]
        check_private(ws)
        os.chmod(db, 0o644)
        status, _, err = cli("serve", "--port", "1", db=str(db))
        assert status == 2 and "accessible by group/others" in err and "chmod 600" in err
        assert cli("init", db=str(db))[0] == 0  # init tightens an existing store
        assert stat.S_IMODE(db.stat().st_mode) == 0o600
    finally:
        os.umask(old)
