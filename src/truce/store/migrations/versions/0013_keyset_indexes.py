"""Indexes on the API lists' sort keys (keyset pagination): a page at any depth is found through
the index, not by reading every row before it. Incidents and clusters were indexed by time alone,
so rows of the same time (a whole day's, for day-precision reports) were sorted on every page.
And incidents by day and by type: the daily report reads its days, and interference, only.

Revision ID: 0013_keyset_indexes
Revises: 0012_report_size_bigint
"""

from alembic import op

revision = "0013_keyset_indexes"
down_revision = "0012_report_size_bigint"
branch_labels = None
depends_on = None

# (old index replaced or None, new index, table, columns)
_INDEXES = (
    ("ix_incidents_t_start", "ix_incidents_t_start_id", "incidents", ["t_start", "id"]),
    ("ix_clusters_t_start", "ix_clusters_t_start_id", "clusters", ["t_start", "id"]),
    (None, "ix_incidents_date", "incidents", ["date"]),
    (None, "ix_incidents_type_date", "incidents", ["type", "date"]),
    (None, "ix_findings_date_id", "findings", ["date", "id"]),
    (None, "ix_reports_received_id", "reports", ["received_at", "id"]),
)


def upgrade() -> None:
    for old, new, table, columns in _INDEXES:
        op.create_index(new, table, columns)
        if old:
            op.drop_index(old, table_name=table)


def downgrade() -> None:
    for old, new, table, columns in _INDEXES:
        if old:
            op.create_index(old, table, columns[:1])
        op.drop_index(new, table_name=table)
