"""a proposal withdrawn as a draft stays its supplier's

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 18:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reverse_proposal") as batch:
        batch.add_column(
            sa.Column("withdrawn_unsent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Drafts withdrawn before this column existed without ever being sent are known; one
    # withdrawn while being revised is not (it was sent once, and stays as it was).
    op.execute(
        "UPDATE reverse_proposal SET withdrawn_unsent = TRUE "
        "WHERE status = 'withdrawn' AND submitted_at IS NULL"
    )


def downgrade():
    with op.batch_alter_table("reverse_proposal") as batch:
        batch.drop_column("withdrawn_unsent")
