"""Named locks that hold across processes for the length of one transaction.

On PostgreSQL a transaction-level advisory lock (pg_advisory_xact_lock): every worker and every CLI
process that writes the same thing takes turns, and the lock goes with the commit or rollback, also
when the process dies. SQLite has one writer per database already; its first write takes it."""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, text

__all__ = ["advisory_key", "hold_for_transaction"]


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for a lock name (the same in every process and release)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def hold_for_transaction(conn: Connection, name: str) -> None:
    """Wait for, then hold until the transaction ends, the lock called `name`."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key(name)})
