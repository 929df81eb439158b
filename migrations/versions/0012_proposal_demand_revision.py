"""the demand version a reverse proposal answered

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 11:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reverse_proposal") as batch:
        batch.add_column(sa.Column("demand_revision", sa.Integer(), nullable=True))
    # Proposals sent before this column existed answered the version their demand had when
    # they were submitted; the nearest record of it is the latest revision made before then.
    op.execute(
        """
        UPDATE reverse_proposal SET demand_revision = (
            SELECT MAX(r.revision) FROM demand_revision r
            WHERE r.demand_id = reverse_proposal.demand_id
              AND r.created_at <= reverse_proposal.submitted_at
        )
        WHERE demand_id IS NOT NULL AND submitted_at IS NOT NULL
        """
    )


def downgrade():
    with op.batch_alter_table("reverse_proposal") as batch:
        batch.drop_column("demand_revision")
