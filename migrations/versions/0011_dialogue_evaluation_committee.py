"""dialogue evaluation committee and its conflict declarations

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 06:45:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "dialogue_evaluator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dialogue_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["user.id"], name=op.f("fk_dialogue_evaluator_added_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["dialogue_id"],
            ["dialogue.id"],
            name=op.f("fk_dialogue_evaluator_dialogue_id_dialogue"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user.id"], name=op.f("fk_dialogue_evaluator_user_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogue_evaluator")),
        sa.UniqueConstraint(
            "dialogue_id", "user_id", name=op.f("uq_dialogue_evaluator_dialogue_id")
        ),
    )
    with op.batch_alter_table("dialogue_evaluator", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dialogue_evaluator_dialogue_id"), ["dialogue_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dialogue_evaluator_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "dialogue_conflict",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("evaluator_id", sa.Integer(), nullable=False),
        sa.Column("has_conflict", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["evaluator_id"], ["user.id"], name=op.f("fk_dialogue_conflict_evaluator_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["dialogue_participant.id"],
            name=op.f("fk_dialogue_conflict_participant_id_dialogue_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogue_conflict")),
        sa.UniqueConstraint(
            "participant_id", "evaluator_id", name=op.f("uq_dialogue_conflict_participant_id")
        ),
    )
    with op.batch_alter_table("dialogue_conflict", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_dialogue_conflict_evaluator_id"), ["evaluator_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_dialogue_conflict_participant_id"), ["participant_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("dialogue_conflict", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dialogue_conflict_participant_id"))
        batch_op.drop_index(batch_op.f("ix_dialogue_conflict_evaluator_id"))

    op.drop_table("dialogue_conflict")
    with op.batch_alter_table("dialogue_evaluator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_dialogue_evaluator_user_id"))
        batch_op.drop_index(batch_op.f("ix_dialogue_evaluator_dialogue_id"))

    op.drop_table("dialogue_evaluator")
