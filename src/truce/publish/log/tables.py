"""The log's tables (SQLAlchemy Core, portable types: SQLite now, PostgreSQL later).

log_entries      one row per leaf; `body` is the exact canonical JSON that was hashed, `leaf_hash`
                 its leaf hash (the only stored copy).
log_nodes        every complete aligned subtree of at least 2**LOWEST_STORED_LEVEL leaves: (level, idx)
                 covers leaves [idx * 2**level, (idx + 1) * 2**level). Smaller subtrees are hashed
                 from the leaf hashes of their block when a proof needs them (at most 16 rows read),
                 so an append writes one node row per 16 entries instead of two per entry (migration
                 0014 dropped the lower levels of logs made before). On SQLite the table is
                 WITHOUT ROWID, so the primary key is the only copy of (level, idx).
log_checkpoints  every signed checkpoint note; several rows of one size with different roots is a fork.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, LargeBinary, MetaData, String, Table, Text

__all__ = ["LOWEST_STORED_LEVEL", "log_checkpoints", "log_entries", "log_nodes", "metadata"]

LOWEST_STORED_LEVEL = 4  # log_nodes holds subtrees of 16 leaves and more

metadata = MetaData()

# BIGINT on PostgreSQL; INTEGER on SQLite so the primary key is the rowid (no extra index).
_BigKey = BigInteger().with_variant(Integer(), "sqlite")

log_entries = Table(
    "log_entries",
    metadata,
    Column("seq", _BigKey, primary_key=True, autoincrement=False),
    Column("entry_id", String(200), nullable=False, unique=True),
    Column("kind", String(64), nullable=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("appended_at", String(40), nullable=False),
)

log_nodes = Table(
    "log_nodes",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
    sqlite_with_rowid=False,
)

log_checkpoints = Table(
    "log_checkpoints",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("size", BigInteger, nullable=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", String(40), nullable=False),
    Index("ix_log_checkpoints_size", "size"),
)
