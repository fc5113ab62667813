"""Earlier versions of a text report's incidents, kept when `truce reextract` replaces them.

Revision ID: 0005_incident_versions
Revises: 0004_api
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_incident_versions"
down_revision = "0004_api"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("report_id", sa.String(40), sa.ForeignKey("reports.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("incidents", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("extractor", sa.String(80), nullable=False),
        sa.Column("superseded_at", sa.String(40), nullable=False),
    )
    op.create_index(
        "ix_incident_versions_report", "incident_versions", ["report_id", "version"], unique=True
    )


def downgrade() -> None:
    op.drop_index("ix_incident_versions_report", "incident_versions")
    op.drop_table("incident_versions")
