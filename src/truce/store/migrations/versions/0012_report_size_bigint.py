"""A report's size in bytes as BIGINT on PostgreSQL: a streamed file of 2 GiB or more (ten million
CSV rows are about 2 GB) overflowed a 32-bit INTEGER. SQLite's INTEGER is 64-bit already.

Revision ID: 0012_report_size_bigint
Revises: 0011_finding_digests
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_report_size_bigint"
down_revision = "0011_finding_digests"
branch_labels = None
depends_on = None


def _retype(to: sa.types.TypeEngine, was: sa.types.TypeEngine) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("reports", "size", type_=to, existing_type=was, existing_nullable=False)


def upgrade() -> None:
    _retype(sa.BigInteger(), sa.Integer())


def downgrade() -> None:
    _retype(sa.Integer(), sa.BigInteger())  # fails, as it should, if a stored report is 2 GiB or more
