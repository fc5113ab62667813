"""HTTP API: users and token hashes, audit trail, report ownership, advance notices, alerts with
acknowledgements, webhooks and delivery attempts.

Revision ID: 0004_api
Revises: 0003_log
"""

import sqlalchemy as sa
from alembic import op

# Alembic imports every revision to read the history, so this registers the API's tables on the
# store's metadata wherever migrations run; autogenerate comparisons then see them too.
import truce.store.api_tables  # noqa: F401

revision = "0004_api"
down_revision = "0003_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("party", sa.String(20)),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("disabled_at", sa.String(40)),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(20), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("api_users.id"), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("revoked_at", sa.String(40)),
    )
    op.create_index("ix_api_tokens_user", "api_tokens", ["user_id"])
    op.create_table(
        "api_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("user_id", sa.Integer),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("resource", sa.String(40), nullable=False),
        sa.Column("resource_id", sa.String(200)),
        sa.Column("method", sa.String(10), nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("request_sha256", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
    )
    op.create_index("ix_api_audit_at", "api_audit", ["at"])
    op.create_table(
        "api_report_access",
        sa.Column("report_id", sa.String(40), sa.ForeignKey("reports.id"), primary_key=True),
        sa.Column("owner_party", sa.String(20)),
        sa.Column("protected", sa.Integer, nullable=False, server_default="0"),
        sa.Column("submitted_by", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("submitted_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_api_report_access_owner", "api_report_access", ["owner_party"])
    op.create_table(
        "api_notices",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("party", sa.String(20), nullable=False),
        sa.Column("zone", sa.String(200), nullable=False),
        sa.Column("classes", sa.Text, nullable=False),
        sa.Column("given_at", sa.String(40), nullable=False),
        sa.Column("starts", sa.String(40), nullable=False),
        sa.Column("ends", sa.String(40), nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("submitted_by", sa.String(100), nullable=False),
        sa.Column("withdrawn_at", sa.String(40)),
    )
    op.create_index("ix_api_notices_party", "api_notices", ["party"])
    op.create_table(
        "api_alerts",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("case_id", sa.String(40), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("agreement_id", sa.String(200), nullable=False),
        sa.Column("provision_id", sa.String(200), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("signature", sa.String(200), nullable=False),
        sa.Column("signer", sa.String(300), nullable=False),
    )
    op.create_index("ix_api_alerts_case", "api_alerts", ["case_id"])
    op.create_table(
        "api_alert_acks",
        sa.Column("alert_id", sa.String(40), sa.ForeignKey("api_alerts.id"), primary_key=True),
        sa.Column("recipient", sa.String(20), primary_key=True),
        sa.Column("acknowledged_at", sa.String(40)),
        sa.Column("acknowledged_by", sa.String(100)),
        sa.Column("note", sa.Text),
    )
    op.create_table(
        "api_webhooks",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("api_users.id"), nullable=False),
        sa.Column("recipient", sa.String(20), nullable=False),
        sa.Column("url", sa.String(2000), nullable=False),
        sa.Column("secret", sa.String(100), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("revoked_at", sa.String(40)),
    )
    op.create_table(
        "api_deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.String(40), sa.ForeignKey("api_alerts.id"), nullable=False),
        sa.Column("webhook_id", sa.String(40), sa.ForeignKey("api_webhooks.id"), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("error", sa.Text),
        sa.Column("delivered", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_api_deliveries_alert", "api_deliveries", ["alert_id"])


def downgrade() -> None:
    for table in (
        "api_deliveries",
        "api_webhooks",
        "api_alert_acks",
        "api_alerts",
        "api_notices",
        "api_report_access",
        "api_audit",
        "api_tokens",
        "api_users",
    ):
        op.drop_table(table)
