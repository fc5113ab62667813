"""A large report's raw bytes in pieces of 1 MiB, written as the file is read, so ingesting a file of
any size keeps memory bounded. A report stored this way has an empty `content`; its bytes are
`content` followed by its pieces in order (see truce.store.records.report_bytes).

Revision ID: 0010_report_pieces
Revises: 0009_epoch_seconds
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_report_pieces"
down_revision = "0009_epoch_seconds"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "report_pieces",
        sa.Column("report_id", sa.String(40), sa.ForeignKey("reports.id"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("report_pieces")
