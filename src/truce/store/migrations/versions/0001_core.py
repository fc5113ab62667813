"""Core tables: sources, reports, incidents, control snapshots, agreements, assessment runs, findings.

Revision ID: 0001_core
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_core"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False, server_default="unknown"),
        sa.Column("party", sa.String(20)),
        sa.Column("reliability", sa.String(1), nullable=False, server_default="F"),
        sa.Column("protected", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("source_id", sa.String(200), sa.ForeignKey("sources.id")),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("filename", sa.String(500)),
        sa.Column("received_at", sa.String(40), nullable=False),
        sa.Column("published_on", sa.Date),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("report_id", sa.String(40), sa.ForeignKey("reports.id"), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("date_precision", sa.String(10), nullable=False),
        sa.Column("t_start", sa.Integer, nullable=False),
        sa.Column("t_end", sa.Integer, nullable=False),
        sa.Column("lon", sa.Float),
        sa.Column("lat", sa.Float),
        sa.Column("precision", sa.String(20), nullable=False),
        sa.Column("country", sa.String(2)),
        sa.Column("admin1", sa.String(300)),
        sa.Column("actor", sa.String(100)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("weapon_class", sa.String(100)),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_incidents_t_start", "incidents", ["t_start"])
    op.create_index("ix_incidents_report", "incidents", ["report_id"])
    op.create_table(
        "control_snapshots",
        sa.Column("date", sa.Date, primary_key=True),
        sa.Column("party", sa.String(20), primary_key=True),
        sa.Column("source", sa.String(300), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("area_km2", sa.Float, nullable=False),
        sa.Column("geometry", sa.Text, nullable=False),
    )
    op.create_table(
        "agreements",
        sa.Column("id", sa.String(200), primary_key=True),
        sa.Column("version", sa.String(50), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("source_text", sa.Text, nullable=False),
        sa.Column("loaded_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "assessment_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("agreement_id", sa.String(200), sa.ForeignKey("agreements.id"), nullable=False),
        sa.Column("agreement_sha256", sa.String(64), nullable=False),
        sa.Column("overrides", sa.Text, nullable=False, server_default="{}"),
        sa.Column("incident_count", sa.Integer, nullable=False),
        sa.Column("finding_count", sa.Integer, nullable=False),
        sa.Column("started_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "findings",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("agreement_id", sa.String(200), sa.ForeignKey("agreements.id"), nullable=False),
        sa.Column("provision_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("party", sa.String(20)),
        sa.Column("date", sa.Date),
        sa.Column("zone_id", sa.String(200)),
        sa.Column("rationale", sa.Text, nullable=False),
        sa.Column("lon", sa.Float),
        sa.Column("lat", sa.Float),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_findings_agreement", "findings", ["agreement_id", "provision_id"])


def downgrade() -> None:
    for table in (
        "findings",
        "assessment_runs",
        "agreements",
        "control_snapshots",
        "incidents",
        "reports",
        "sources",
    ):
        op.drop_table(table)
