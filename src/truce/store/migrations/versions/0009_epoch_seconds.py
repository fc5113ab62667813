"""Seconds since the epoch as BIGINT on PostgreSQL: incidents' and clusters' t_start/t_end were 32-bit
INTEGER there, so nothing dated after 2038-01-19 could be stored or even compared with. SQLite's
INTEGER is 64-bit already: nothing changes there.

Revision ID: 0009_epoch_seconds
Revises: 0008_team_store
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_epoch_seconds"
down_revision = "0008_team_store"
branch_labels = None
depends_on = None

COLUMNS = {"incidents": ("t_start", "t_end"), "clusters": ("t_start", "t_end")}


def _retype(to: sa.types.TypeEngine, was: sa.types.TypeEngine) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, names in COLUMNS.items():
        for name in names:
            op.alter_column(table, name, type_=to, existing_type=was, existing_nullable=False)


def upgrade() -> None:
    _retype(sa.BigInteger(), sa.Integer())


def downgrade() -> None:
    _retype(sa.Integer(), sa.BigInteger())  # fails, as it should, if a stored time is past 2038
