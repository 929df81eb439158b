"""suppliers apply for designation

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 11:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "designation_application",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("supplier_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_designation_application_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"], name=op.f("fk_designation_application_product_id_product")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["evaluation_round.id"],
            name=op.f("fk_designation_application_round_id_evaluation_round"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_id"],
            ["organisation.id"],
            name=op.f("fk_designation_application_supplier_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_designation_application")),
    )
    with op.batch_alter_table("designation_application") as batch:
        batch.create_index(
            batch.f("ix_designation_application_product_id"), ["product_id"], unique=False
        )
        batch.create_index(
            batch.f("ix_designation_application_status"), ["status"], unique=False
        )
        batch.create_index(
            batch.f("ix_designation_application_supplier_id"), ["supplier_id"], unique=False
        )
    # One open application per product (a partial unique index: both engines have them).
    op.create_index(
        "uq_designation_application_open",
        "designation_application",
        ["product_id"],
        unique=True,
        sqlite_where=sa.text("status IN ('applied', 'in_round')"),
        postgresql_where=sa.text("status IN ('applied', 'in_round')"),
    )


def downgrade():
    op.drop_table("designation_application")
