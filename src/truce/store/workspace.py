"""Opening a workspace: the SQLite file (WAL) or a PostgreSQL URL, migrated to the newest schema."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event

from truce.errors import UserError

__all__ = ["DEFAULT_DB", "Workspace", "check_private", "copy_workspace", "database_url", "open_workspace"]

DEFAULT_DB = "truce.db"
_MIGRATIONS = Path(__file__).parent / "migrations"


def database_url(db: str | None) -> str:
    """A SQLAlchemy URL from --db / TRUCE_DB: a file path (SQLite) or a full URL."""
    db = db or os.environ.get("TRUCE_DB") or DEFAULT_DB
    return db if "://" in db else f"sqlite:///{Path(db).expanduser()}"


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL is durable against process kills
    cursor.close()


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


@dataclass
class Workspace:
    engine: Engine
    url: str

    @property
    def directory(self) -> Path:
        """Where the workspace keeps files beside the database (keys, exports)."""
        if self.url.startswith("sqlite:///"):
            return Path(self.url.removeprefix("sqlite:///")).resolve().parent
        return Path(os.environ.get("TRUCE_HOME", ".")).resolve()

    def is_current(self) -> bool:
        head = ScriptDirectory.from_config(_alembic_config(self.engine)).get_current_head()
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision() == head

    def migrate(self) -> None:
        config = _alembic_config(self.engine)
        with self.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")


def copy_workspace(source_db: str | Path, target_dir: str | Path) -> Path:
    """Copy a SQLite workspace into `target_dir`: a consistent copy of the database (what is still in
    the WAL file included) and the keys kept beside it. Returns the new database's path."""
    source_db, target_dir = Path(source_db), Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True)
    target_db = target_dir / source_db.name
    with sqlite3.connect(source_db) as source, sqlite3.connect(target_db) as copy:
        source.backup(copy)
    keys = source_db.parent / "keys"
    if keys.is_dir():
        shutil.copytree(keys, target_dir / "keys", dirs_exist_ok=True)
    return target_db


def _sqlite_files(path: Path) -> list[Path]:
    return [path, *(Path(f"{path}{suffix}") for suffix in ("-wal", "-shm", "-journal"))]


def _owner_only(path: Path) -> None:
    """Create the database file 0600 (SQLite gives its -wal and -shm files the same mode), and
    tighten an existing one: it holds protected allegations and webhook secrets."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    for file in _sqlite_files(path):
        if file.exists():
            os.chmod(file, 0o600)


def check_private(workspace: Workspace) -> None:
    """Refuse a SQLite store the group or others can read (as the signing key is refused)."""
    if not workspace.url.startswith("sqlite:///"):
        return
    for file in _sqlite_files(Path(workspace.url.removeprefix("sqlite:///"))):
        if file.exists() and file.stat().st_mode & 0o077:
            mode = stat.S_IMODE(file.stat().st_mode)
            raise UserError(
                str(file),
                None,
                f"the store is accessible by group/others (mode {mode:04o}); run: chmod 600 {file}*",
            )


def open_workspace(db: str | None = None, *, create: bool = False) -> Workspace:
    """Open (and with create=True, create and migrate) the workspace database."""
    url = database_url(db)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not create and not path.exists():
            raise UserError(str(path), None, "no workspace here; run `truce init` first")
        path.parent.mkdir(parents=True, exist_ok=True)
        if create:
            _owner_only(path)
    engine = create_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    workspace = Workspace(engine=engine, url=url)
    if create:
        workspace.migrate()
    elif not workspace.is_current():
        raise UserError(url, None, "workspace schema is out of date; run `truce init` to migrate it")
    return workspace
