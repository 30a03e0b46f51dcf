"""When each stored run was signed, so that an older signing of a run never replaces a newer.

Runs stored before have none (their manifests are not at hand): the next signing of one of
them replaces it, as it did.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("signed_at", sa.String(32)))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:  # SQLite drops a column by copying the table
        batch.drop_column("signed_at")
