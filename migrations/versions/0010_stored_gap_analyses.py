"""stored demand-gap analyses: the operator page shows them, the worker computes large ones

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 04:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "gap_analysis_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("min_size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("demand_count", sa.Integer(), nullable=True),
        sa.Column("demands_updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user.id"],
            name=op.f("fk_gap_analysis_run_requested_by_id_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gap_analysis_run")),
    )
    with op.batch_alter_table("gap_analysis_run", schema=None) as batch_op:
        batch_op.create_index(
            "ix_gap_analysis_run_params", ["seed", "min_size", "status"], unique=False
        )


def downgrade():
    with op.batch_alter_table("gap_analysis_run", schema=None) as batch_op:
        batch_op.drop_index("ix_gap_analysis_run_params")
    op.drop_table("gap_analysis_run")
