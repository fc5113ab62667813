"""Backups of a whole workspace: the database and the keys beside it, in one folder.

    PATH/manifest.json      what was backed up: store kind, schema revision, files and their SHA-256
    PATH/database.sqlite    SQLite's online backup (consistent while others write), or
    PATH/database.pgdump    pg_dump's custom format (one consistent snapshot), for pg_restore
    PATH/keys/              the mission's signing key and the public keys (owner-only: 0700/0600)

The folder holds the private signing key: keep it as the key itself is kept (docs/deploy.md).
A restore goes into a new SQLite file or an empty PostgreSQL database only: it never overwrites."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, inspect

from truce.errors import UserError
from truce.store.workspace import Workspace, database_url, open_workspace

__all__ = ["BackupResult", "backup_workspace", "restore_workspace"]

MANIFEST = "manifest.json"
FORMAT = "truce-backup/1"
_DATABASE_FILE = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}


@dataclass(frozen=True)
class BackupResult:
    path: Path
    kind: str
    revision: str | None
    files: dict[str, str]  # relative path -> SHA-256

    def to_json(self) -> dict[str, object]:
        return {"path": str(self.path), "kind": self.kind, "revision": self.revision, "files": self.files}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_program(name: str) -> str:
    """pg_dump / pg_restore of the newest installed server (they must not be older than the server)."""
    from truce.store.local_cluster import ClusterUnavailable, postgres_bindir

    try:
        candidate = postgres_bindir() / name
        if candidate.exists():
            return str(candidate)
    except ClusterUnavailable:
        pass
    found = shutil.which(name)
    if found is None:
        raise UserError(name, None, f"{name} is not installed (apt-get install postgresql-client-15)")
    return found


def _libpq_url(engine: Engine) -> str:
    """The SQLAlchemy URL as libpq reads it (no +driver)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        message = (done.stderr.strip() or done.stdout.strip()).splitlines()
        raise UserError(
            what, None, f"{Path(command[0]).name} failed: {message[-1] if message else done.returncode}"
        )


def backup_workspace(workspace: Workspace, target: Path) -> BackupResult:
    """Write a backup of the workspace into the new folder `target`."""
    if target.exists() and any(target.iterdir()):
        raise UserError(str(target), None, "backup folder exists and is not empty; choose a new one")
    kind = workspace.engine.dialect.name
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(mode=0o700, parents=True)
    database = partial / _DATABASE_FILE[kind]
    if kind == "sqlite":
        with sqlite3.connect(str(workspace.engine.url.database)) as source, sqlite3.connect(database) as copy:
            source.backup(copy)
    else:
        _run(
            [
                _pg_program("pg_dump"),
                "--format=custom",
                # The rate limiter's buckets (UNLOGGED) name recent clients' addresses: not worth keeping.
                "--no-unlogged-table-data",
                "--file",
                str(database),
                "--dbname",
                _libpq_url(workspace.engine),
            ],
            workspace.display_url,
        )
    keys = workspace.directory / "keys"
    if keys.is_dir():
        shutil.copytree(keys, partial / "keys")
        os.chmod(partial / "keys", 0o700)
    files = {str(p.relative_to(partial)): _sha256(p) for p in sorted(partial.rglob("*")) if p.is_file()}
    for name in files:
        os.chmod(partial / name, 0o600)
    manifest = {
        "format": FORMAT,
        "kind": kind,
        "revision": workspace.revision(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "files": files,
    }
    (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    os.chmod(partial / MANIFEST, 0o600)
    if target.exists():
        target.rmdir()
    partial.rename(target)  # a backup folder is whole or absent
    return BackupResult(target, kind, manifest["revision"], files)


def _read_manifest(source: Path) -> dict:
    path = source / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise UserError(str(source), None, f"not a truce backup: no {MANIFEST}") from None
    except json.JSONDecodeError as error:
        raise UserError(str(path), error.lineno, f"not valid JSON: {error.msg}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise UserError(str(path), None, f"format: expected {FORMAT!r}")
    for name, digest in manifest.get("files", {}).items():
        file = source / name
        if not file.is_file():
            raise UserError(str(file), None, "listed in the manifest but missing from the backup")
        if _sha256(file) != digest:
            raise UserError(
                str(file), None, "does not match its SHA-256 in the manifest (damaged or changed)"
            )
    return manifest


def _database_is_empty(engine: Engine) -> bool:
    names = set(inspect(engine).get_table_names()) - {"spatial_ref_sys"}  # PostGIS's own table
    return not names


def restore_workspace(source: Path, db: str | None, home: Path | None = None) -> Workspace:
    """Restore the backup folder `source` into `db`: a SQLite file that does not exist yet, or an
    empty PostgreSQL database of the same kind of store. The keys go beside the new workspace."""
    manifest = _read_manifest(source)
    url = database_url(db)
    kind = manifest.get("kind")
    target_kind = "sqlite" if url.startswith("sqlite:") else "postgresql"
    if kind != target_kind:
        raise UserError(
            str(source / MANIFEST), None, f"kind: this is a {kind} backup; restore it into a {kind} workspace"
        )
    if kind == "sqlite":
        path = Path(url.removeprefix("sqlite:///"))
        if path.exists():
            raise UserError(str(path), None, "already exists; restore into a new file")
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # owner-only, as `init` makes it
        with sqlite3.connect(source / _DATABASE_FILE[kind]) as backup, sqlite3.connect(path) as copy:
            backup.backup(copy)
        workspace = open_workspace(str(path), require_current=False, home=home)
    else:
        workspace = open_workspace(url, require_current=False, home=home)
        if not _database_is_empty(workspace.engine):
            raise UserError(
                workspace.display_url, None, "the database is not empty; restore into an empty one"
            )
        workspace.engine.dispose()
        _run(
            [
                _pg_program("pg_restore"),
                "--exit-on-error",
                "--no-owner",
                "--dbname",
                _libpq_url(workspace.engine),
                str(source / _DATABASE_FILE[kind]),
            ],
            workspace.display_url,
        )
    keys = source / "keys"
    if keys.is_dir():
        target_keys = workspace.directory / "keys"
        if target_keys.exists() and any(target_keys.iterdir()):
            _same_keys(keys, target_keys)
        else:
            shutil.copytree(keys, target_keys, dirs_exist_ok=True)
            os.chmod(target_keys, 0o700)
    return workspace


def _same_keys(backup: Path, present: Path) -> None:
    """Keys already beside the target must be the backup's own (never overwrite a different key)."""
    for key in backup.iterdir():
        there = present / key.name
        if there.exists() and there.read_bytes() != key.read_bytes():
            raise UserError(
                str(there), None, "a different key is already here; restore beside no keys or these"
            )
        if not there.exists():
            shutil.copy2(key, there)
