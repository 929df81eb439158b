"""open data: the API's rate-limit windows

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 19:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'api_rate_window',
        sa.Column('client_key', sa.String(length=80), nullable=False),
        sa.Column('window', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('client_key', 'window', name=op.f('pk_api_rate_window')),
    )
    with op.batch_alter_table('api_rate_window', schema=None) as batch_op:
        batch_op.create_index('ix_api_rate_window_window', ['window'], unique=False)


def downgrade():
    with op.batch_alter_table('api_rate_window', schema=None) as batch_op:
        batch_op.drop_index('ix_api_rate_window_window')
    op.drop_table('api_rate_window')
