"""Named locks that hold across processes for the length of one transaction.

On PostgreSQL a transaction-level advisory lock (pg_advisory_xact_lock): every worker and every CLI
process that writes the same thing takes turns, and the lock goes with the commit or rollback, also
when the process dies. SQLite has one writer per database already; its first write takes it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text

__all__ = ["advisory_key", "claim", "hold_for_transaction"]


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for a lock name (the same in every process and release)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def hold_for_transaction(conn: Connection, name: str) -> None:
    """Wait for, then hold until the transaction ends, the lock called `name`."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key(name)})


@contextmanager
def claim(engine: Engine, name: str) -> Iterator[bool]:
    """Try to claim `name` for a while (a task several workers might each start, such as delivering
    one alert): yields False at once if another process holds it. On PostgreSQL a session advisory
    lock, held on its own connection until the block ends (or the process dies); SQLite serves one
    API process, which always gets it."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    key = advisory_key(name)
    with engine.connect() as conn:
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar())
        conn.commit()
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                conn.commit()
