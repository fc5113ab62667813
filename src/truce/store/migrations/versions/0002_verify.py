"""Verification: source grading history, clusters, cases with their audit trail, evidence, custody.

Revision ID: 0002_verify
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_verify"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "source_grades",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.String(200), sa.ForeignKey("sources.id"), nullable=False),
        sa.Column("reliability", sa.String(1), nullable=False),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("party", sa.String(20)),
        sa.Column("protected", sa.Integer, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
    )
    op.create_index("ix_source_grades_source", "source_grades", ["source_id"])
    op.create_table(
        "clusters",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("t_start", sa.Integer, nullable=False),
        sa.Column("t_end", sa.Integer, nullable=False),
        sa.Column("lon", sa.Float),
        sa.Column("lat", sa.Float),
        sa.Column("precision", sa.String(20), nullable=False),
        sa.Column("country", sa.String(2)),
        sa.Column("admin1", sa.String(300)),
        sa.Column("actor", sa.String(100)),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reliability", sa.String(1), nullable=False),
        sa.Column("credibility", sa.Integer, nullable=False),
        sa.Column("report_count", sa.Integer, nullable=False),
        sa.Column("origin_count", sa.Integer, nullable=False),
        sa.Column("claim_verdict", sa.String(20)),
        sa.Column("computed_at", sa.String(40), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_clusters_t_start", "clusters", ["t_start"])
    op.create_table(
        "cluster_members",
        sa.Column("cluster_id", sa.String(40), sa.ForeignKey("clusters.id"), primary_key=True),
        sa.Column("incident_id", sa.String(200), sa.ForeignKey("incidents.id"), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("origin", sa.String(300), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_index("ix_cluster_members_incident", "cluster_members", ["incident_id"], unique=True)
    op.create_table(
        "cases",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("state", sa.String(30), nullable=False),
        sa.Column("outcome", sa.String(30)),
        sa.Column("category", sa.String(20), nullable=False),
        sa.Column("event_date", sa.Date),
        sa.Column("zone", sa.String(200)),
        sa.Column("sector", sa.String(200)),
        sa.Column("alleged_by", sa.String(200), nullable=False),
        sa.Column("alleged_against", sa.String(20)),
        sa.Column("assigned_to", sa.String(200)),
        sa.Column("facts", sa.String(30)),
        sa.Column("facts_rationale", sa.Text),
        sa.Column("attribution", sa.String(30)),
        sa.Column("attribution_rationale", sa.Text),
        sa.Column("protected", sa.Integer, nullable=False, server_default="0"),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("opened_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_index("ix_cases_state", "cases", ["state"])
    op.create_index("ix_cases_zone", "cases", ["zone"])
    op.create_table(
        "case_incidents",
        sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("incident_id", sa.String(200), sa.ForeignKey("incidents.id"), primary_key=True),
    )
    op.create_table(
        "case_events",
        sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("from_state", sa.String(30)),
        sa.Column("to_state", sa.String(30), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("details", sa.Text, nullable=False, server_default="{}"),
    )
    op.create_table(
        "evidence",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("filename", sa.String(500)),
        sa.Column("added_at", sa.String(40), nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_table(
        "case_evidence",
        sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.id"), primary_key=True),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("evidence.sha256"), primary_key=True),
        sa.Column("attached_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "custody_events",
        sa.Column("sha256", sa.String(64), sa.ForeignKey("evidence.sha256"), primary_key=True),
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.id")),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("note", sa.Text, nullable=False, server_default=""),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("entry_hash", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "custody_events",
        "case_evidence",
        "evidence",
        "case_events",
        "case_incidents",
        "cases",
        "cluster_members",
        "clusters",
        "source_grades",
    ):
        op.drop_table(table)
