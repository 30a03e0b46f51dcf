"""A run is its signer, run id and start time: two runs given the same id are both kept.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:  # SQLite changes a constraint by copying
        batch.drop_constraint("uq_runs_signer_run_id", type_="unique")
        batch.create_unique_constraint("uq_runs_signer_run_id_started_at",
                                       ["signer", "run_id", "started_at"])


def downgrade() -> None:
    # Fails, as it should, while two stored runs share a signer and run id.
    with op.batch_alter_table("runs") as batch:
        batch.drop_constraint("uq_runs_signer_run_id_started_at", type_="unique")
        batch.create_unique_constraint("uq_runs_signer_run_id", ["signer", "run_id"])
