"""What a chassis's record says of it, as text of any length: a NetBox platform slug of 51 to
100 characters, a host name of the inventory over 300, a serial a device prints over 100 are
all in records, and PostgreSQL refused the whole run over them (SQLite never held to a length).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The columns, and their lengths before.
WIDENED = {"site": 200, "hostname": 300, "serial": 100, "pid": 100, "platform": 50, "os": 50,
           "version": 100}


def upgrade() -> None:
    with op.batch_alter_table("inspections") as batch:  # SQLite changes a type by copying
        for column, length in WIDENED.items():
            batch.alter_column(column, type_=sa.Text(), existing_type=sa.String(length))


def downgrade() -> None:
    # Fails on PostgreSQL, as it should, while a stored value is longer than its old length.
    with op.batch_alter_table("inspections") as batch:
        for column, length in WIDENED.items():
            batch.alter_column(column, type_=sa.String(length), existing_type=sa.Text())
