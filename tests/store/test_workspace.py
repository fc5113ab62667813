import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import truce.store
from truce.errors import UserError
from truce.store import open_workspace
from truce.store.schema import all_metadata


def test_migrations_build_exactly_the_declared_schema(workspace):
    with workspace.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), all_metadata())
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(workspace):
    with workspace.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_opening_a_missing_workspace_is_a_user_error(tmp_path):
    try:
        open_workspace(str(tmp_path / "missing.db"))
    except UserError as error:
        assert "truce init" in str(error)
    else:
        raise AssertionError("expected a UserError")


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
