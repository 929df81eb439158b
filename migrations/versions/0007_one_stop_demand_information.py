"""one-stop demand information: e-mail digest subscriptions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'demand_info_subscription',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('filters', sa.JSON(), nullable=False),
        sa.Column('frequency', sa.String(length=16), nullable=False),
        sa.Column('locale', sa.String(length=8), nullable=False),
        sa.Column('nonce', sa.String(length=32), nullable=False),
        sa.Column('requested_from', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('unsubscribed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['user_id'],
            ['user.id'],
            name=op.f('fk_demand_info_subscription_user_id_user'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_demand_info_subscription')),
    )
    with op.batch_alter_table('demand_info_subscription', schema=None) as batch_op:
        batch_op.create_index(
            'ix_demand_info_subscription_address_at', ['requested_from', 'created_at'], unique=False
        )
        batch_op.create_index(
            'ix_demand_info_subscription_email_at', ['email', 'created_at'], unique=False
        )


def downgrade():
    with op.batch_alter_table('demand_info_subscription', schema=None) as batch_op:
        batch_op.drop_index('ix_demand_info_subscription_email_at')
        batch_op.drop_index('ix_demand_info_subscription_address_at')

    op.drop_table('demand_info_subscription')
