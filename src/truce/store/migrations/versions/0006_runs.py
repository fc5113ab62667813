"""Assessment runs remember their cut-off and which findings they produced (id and content digest),
so two runs can be compared (`truce findings --diff`).

Revision ID: 0006_runs
Revises: 0005_incident_versions
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_runs"
down_revision = "0005_incident_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assessment_runs") as batch:
        batch.add_column(sa.Column("cut_off", sa.String(40)))
        batch.add_column(sa.Column("finding_digests", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("assessment_runs") as batch:
        batch.drop_column("finding_digests")
        batch.drop_column("cut_off")
