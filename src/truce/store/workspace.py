"""Opening a workspace: the SQLite file (WAL) or a PostgreSQL URL, migrated to the newest schema."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from truce.errors import UserError

__all__ = [
    "DEFAULT_DB",
    "Workspace",
    "bulk_write_cache",
    "check_private",
    "copy_workspace",
    "database_url",
    "open_workspace",
]

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


def bulk_write_cache(conn: Connection, mib: int) -> None:
    """A larger SQLite page cache for one connection that writes many rows in one transaction
    (SQLite's default is 2 MB). Index pages of a large table, touched at random keys, then stay in
    memory rather than being spilled to the WAL and read back again for every insert."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"PRAGMA cache_size=-{mib * 1024}")


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


@dataclass
class Workspace:
    engine: Engine
    url: str
    home: Path | None = None  # where keys live for a server database; default $TRUCE_HOME or "."

    @property
    def directory(self) -> Path:
        """Where the workspace keeps files beside the database (keys, exports)."""
        if self.home is not None:
            return self.home.resolve()
        if self.url.startswith("sqlite:///"):
            return Path(self.url.removeprefix("sqlite:///")).resolve().parent
        return Path(os.environ.get("TRUCE_HOME", ".")).resolve()

    @property
    def display_url(self) -> str:
        """The URL without its password, for messages and logs."""
        return _shown(self.engine)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def revision(self) -> str | None:
        """The schema revision the database is at (None: an empty database)."""
        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def head(self) -> str | None:
        """The newest schema revision this release knows."""
        return ScriptDirectory.from_config(_alembic_config(self.engine)).get_current_head()

    def is_current(self) -> bool:
        return self.revision() == self.head()

    def migrate(self) -> None:
        """Upgrade the schema in place to the newest revision, in one transaction (PostgreSQL) or
        revision by revision (SQLite); a no-op when it is current."""
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


def _has_nul(values: object) -> bool:
    if isinstance(values, Mapping):
        values = values.values()
    return any(isinstance(v, str) and "\x00" in v for v in values)  # type: ignore[union-attr]


def _refuse_nul_characters(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
    """PostgreSQL's text cannot hold a NUL character (SQLite's can): refuse such a value as the
    caller's error, before the driver fails on it (an API request with %00 in it is a 400, not a 500)."""
    rows = parameters if executemany else [parameters]
    if any(row and _has_nul(row) for row in rows):
        raise UserError("input", None, "text with a NUL (0x00) character cannot be stored or searched for")


# libpq's connection settings unless the URL sets them: a database host that does not answer costs
# seconds, not the minutes of TCP's own timeouts (a worker answers 503 meanwhile, truce.api.problems).
POSTGRES_TIMEOUTS = {
    "connect_timeout": 5,  # seconds to open a connection
    "keepalives": 1,  # a silent peer is probed after 10 s idle, every 5 s, given up after 3 probes
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 30_000,  # ms that sent data may stay unacknowledged
}


def _postgres_engine(url: str) -> Engine:
    """Pooled connections, each checked before use (a worker gets a fresh one after a database
    restart instead of failing on a dead one), with bounded network timeouts."""
    given = make_url(url).query
    timeouts = {key: value for key, value in POSTGRES_TIMEOUTS.items() if key not in given}
    engine = create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=20, connect_args=timeouts
    )
    event.listen(engine, "before_cursor_execute", _refuse_nul_characters)
    return engine


def _engine(url: str) -> Engine:
    try:
        engine = create_engine(url)
    except (ArgumentError, NoSuchModuleError) as error:
        raise UserError(url, None, f"not a database URL truce can open: {error}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif engine.dialect.name == "postgresql":
        engine = _postgres_engine(url)
    else:
        raise UserError(url, None, "truce stores its workspace in SQLite or PostgreSQL (with PostGIS)")
    return engine


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


def open_workspace(
    db: str | None = None, *, create: bool = False, home: Path | None = None, require_current: bool = True
) -> Workspace:
    """Open (and with create=True, create and migrate) the workspace database. `home` is the folder
    of its keys when the database is a server's (PostgreSQL); a SQLite file keeps them beside it."""
    url = database_url(db)
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        if not create and not path.exists():
            raise UserError(str(path), None, "no workspace here; run `truce init` first")
        path.parent.mkdir(parents=True, exist_ok=True)
        if create:
            _owner_only(path)
    engine = _engine(url)
    workspace = Workspace(engine=engine, url=url, home=Path(home) if home is not None else None)
    try:
        if create:
            workspace.migrate()
        elif require_current and not workspace.is_current():
            raise UserError(
                _shown(engine), None, "workspace schema is out of date; run `truce migrate` to upgrade it"
            )
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise UserError(_shown(engine), None, f"cannot open the database: {reason}") from None
    return workspace


def _shown(engine: Engine) -> str:
    """The URL without its password, for messages."""
    return engine.url.render_as_string(hide_password=True)
