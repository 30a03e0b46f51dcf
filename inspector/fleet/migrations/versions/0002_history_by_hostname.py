"""Indexes for `history --hostname` and the fleet report's --since / --until.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_inspections_hostname", "inspections", ["hostname"])
    op.create_index("ix_inspections_inspected_at", "inspections", ["inspected_at"])


def downgrade() -> None:
    op.drop_index("ix_inspections_inspected_at", "inspections")
    op.drop_index("ix_inspections_hostname", "inspections")
