"""The tamper-evident log: entries (canonical JSON leaves), complete subtree hashes, checkpoints.

Revision ID: 0003_log
Revises: 0002_verify
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_log"
down_revision = "0002_verify"
branch_labels = None
depends_on = None

_BigKey = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "log_entries",
        sa.Column("seq", _BigKey, primary_key=True, autoincrement=False),
        sa.Column("entry_id", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("appended_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "log_nodes",
        sa.Column("level", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("idx", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "log_checkpoints",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("root", sa.LargeBinary(32), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_log_checkpoints_size", "log_checkpoints", ["size"])


def downgrade() -> None:
    for table in ("log_checkpoints", "log_nodes", "log_entries"):
        op.drop_table(table)
