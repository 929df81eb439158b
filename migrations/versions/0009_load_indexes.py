"""indexes found by the load benchmark: newest demands and products, ideas by date, what the
matcher's caches check

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 19:00:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    # Lists sort by newest within a status; without these a backward scan of published_at /
    # listed_at first walks every draft (their dates are NULL, which sort first).
    op.create_index("ix_demand_status_published", "demand", ["status", "published_at"])
    op.create_index("ix_product_status_listed", "product", ["status", "listed_at"])
    # The matcher checks the listed catalogue (count, last change) on every suggestion, and the
    # dashboard's cached suggestions the open demands likewise.
    op.create_index(
        "ix_demand_status_deleted_updated", "demand", ["status", "deleted_at", "updated_at"]
    )
    op.create_index(
        "ix_product_status_deleted_updated", "product", ["status", "deleted_at", "updated_at"]
    )
    op.create_index("ix_citizen_idea_created_at", "citizen_idea", ["created_at"])


def downgrade():
    op.drop_index("ix_citizen_idea_created_at", table_name="citizen_idea")
    op.drop_index("ix_product_status_deleted_updated", table_name="product")
    op.drop_index("ix_product_status_listed", table_name="product")
    op.drop_index("ix_demand_status_deleted_updated", table_name="demand")
    op.drop_index("ix_demand_status_published", table_name="demand")
