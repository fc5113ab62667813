"""The log keeps tree nodes of 16 leaves and more only: levels 0-3 are dropped (level 0 was a second
copy of every leaf hash, and the four levels two node rows per entry); they are hashed from the
entries' leaf hashes when a proof needs them. The entries, every root and every proof are unchanged.
Downgrade hashes the four levels again from the leaf hashes.

Revision ID: 0014_log_sparse_nodes
Revises: 0013_keyset_indexes
"""

import hashlib
from collections.abc import Iterator

import sqlalchemy as sa
from alembic import op

revision = "0014_log_sparse_nodes"
down_revision = "0013_keyset_indexes"
branch_labels = None
depends_on = None

_LOWEST = 4  # the lowest level kept, as LOWEST_STORED_LEVEL in truce.publish.log.tables
_ROWS = 10_000


def upgrade() -> None:
    op.execute(sa.text(f"DELETE FROM log_nodes WHERE level < {_LOWEST}"))


def _lower_nodes(leaves: Iterator[tuple[int, bytes]]) -> Iterator[tuple[int, int, bytes]]:
    """(level, index, hash) of every node below the lowest kept level, from the leaves in order."""
    stack: list[bytes] = []
    for seq, leaf in leaves:
        if seq % (1 << _LOWEST) == 0:
            stack.clear()  # a new block: nothing below it merges across blocks
        h, at, level = bytes(leaf), seq, 0
        yield 0, seq, h
        while at & 1 and level + 1 < _LOWEST:
            h = hashlib.sha256(b"\x01" + stack.pop() + h).digest()
            at, level = at >> 1, level + 1
            yield level, at, h
        stack.append(h)


def downgrade() -> None:
    conn = op.get_bind()
    query = sa.text("SELECT seq, leaf_hash FROM log_entries ORDER BY seq").execution_options(yield_per=_ROWS)
    leaves = conn.execute(query)
    nodes = sa.table("log_nodes", sa.column("level"), sa.column("idx"), sa.column("hash"))
    batch = []
    for level, idx, h in _lower_nodes(iter(leaves)):
        batch.append({"level": level, "idx": idx, "hash": h})
        if len(batch) == _ROWS:
            conn.execute(nodes.insert(), batch)
            batch = []
    if batch:
        conn.execute(nodes.insert(), batch)
