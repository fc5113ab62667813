"""Each finding's digest (SHA-256 of its RFC 8785 canonical JSON), computed once when it is written:
publishing reads it instead of re-serialising every stored finding on every run, and an assessment
that finds the same rewrites nothing. Findings stored before have none until the next assessment
(publishing computes theirs from the body meanwhile).

Revision ID: 0011_finding_digests
Revises: 0010_report_pieces
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_finding_digests"
down_revision = "0010_report_pieces"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.add_column(sa.Column("digest", sa.String(64)))


def downgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("digest")
