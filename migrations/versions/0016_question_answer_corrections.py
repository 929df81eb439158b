"""a corrected answer keeps when it was first given and what it replaced

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 19:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("question") as batch:
        batch.add_column(sa.Column("first_answered_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("earlier_answer", sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table("question") as batch:
        batch.drop_column("earlier_answer")
        batch.drop_column("first_answered_at")
