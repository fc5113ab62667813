"""`truce backup` / `truce restore` / `truce migrate` on both stores: a restored backup verifies."""

import json
import stat

import pytest
from alembic import command

from truce.store import open_workspace
from truce.store.workspace import _alembic_config

pytestmark = pytest.mark.both_stores


@pytest.fixture
def new_database(store_kind, tmp_path, request):
    """Where a restore may go: a SQLite path that does not exist yet, or an empty PostgreSQL database."""
    if store_kind == "sqlite":
        return str(tmp_path / "restored" / "truce.db")
    cluster = request.getfixturevalue("pg_cluster")
    name = f"restored_{tmp_path.name}"[:60]
    request.addfinalizer(lambda: cluster.drop_database(name))
    return cluster.create_database(name)


def _findings(db):
    workspace = open_workspace(str(db))
    with workspace.engine.connect() as conn:
        rows = dict(conn.exec_driver_sql("select id, body from findings").all())
    workspace.engine.dispose()
    return rows


def test_a_restored_backup_verifies_and_holds_the_same_findings(cli, demo_copy, new_database, tmp_path, sql):
    folder = tmp_path / "backup"
    sql(demo_copy, "insert into api_rate_buckets values ('addr:203.0.113.9', 1, 0, true)")
    status, out, err = cli("backup", str(folder), "--json", db=str(demo_copy))
    assert status == 0, err
    result = json.loads(out)
    assert set(result["files"]) >= {"keys/mission.key", "keys/mission.key.pub"}
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700  # it holds the private signing key
    assert all(stat.S_IMODE((folder / name).stat().st_mode) == 0o600 for name in result["files"])

    status, out, err = cli("restore", str(folder), "--json", db=new_database)
    assert status == 0, err
    assert json.loads(out)["current"] is True
    assert cli("verify", db=new_database)[0] == 0
    assert _findings(new_database) == _findings(demo_copy)
    # PostgreSQL's API workers keep rate buckets (recent clients' addresses) there: not in backups.
    buckets = sql(new_database, "select count(*) from api_rate_buckets")[0][0]
    assert buckets == (0 if "postgresql" in new_database else 1)


def test_a_damaged_backup_is_refused_naming_the_file(cli, demo_copy, new_database, tmp_path):
    folder = tmp_path / "backup"
    assert cli("backup", str(folder), db=str(demo_copy))[0] == 0
    damaged = next(p for p in folder.iterdir() if p.name.startswith("database."))
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    status, _, err = cli("restore", str(folder), db=new_database)
    assert status == 2 and damaged.name in err and "SHA-256" in err


def test_restore_never_overwrites_a_workspace(cli, demo_copy, tmp_path):
    folder = tmp_path / "backup"
    assert cli("backup", str(folder), db=str(demo_copy))[0] == 0
    status, _, err = cli("restore", str(folder), db=str(demo_copy))
    assert status == 2 and ("exists" in err or "not empty" in err)
    assert cli("verify", db=str(demo_copy))[0] == 0


def test_backup_into_a_folder_that_holds_files_is_refused(cli, demo_copy, tmp_path):
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    status, _, err = cli("backup", str(tmp_path / "full"), db=str(demo_copy))
    assert status == 2 and "not empty" in err


def test_migrate_upgrades_an_older_schema_in_place(cli, db_path):
    workspace = open_workspace(db_path, create=True)
    config = _alembic_config(workspace.engine)
    with workspace.engine.begin() as conn:  # back to the schema of the release before the team store
        config.attributes["connection"] = conn
        command.downgrade(config, "0007_sensors")
    workspace.engine.dispose()
    status, _, err = cli("findings", db=db_path)
    assert status == 2 and "truce migrate" in err
    status, out, _ = cli("migrate", "--json", db=db_path)
    assert status == 0 and json.loads(out)["from"] == "0007_sensors"
    assert json.loads(out)["to"] == open_workspace(db_path).revision()
    status, out, _ = cli("migrate", db=db_path)
    assert status == 0 and "current" in out
