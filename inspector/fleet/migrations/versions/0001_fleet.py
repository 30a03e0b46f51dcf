"""The fleet store's first schema: runs, and one inspection per chassis per run.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(100), nullable=False),
        sa.Column("signer", sa.String(100), nullable=False),
        sa.Column("seal_sha256", sa.String(64), nullable=False),
        sa.Column("started_at", sa.String(32)),
        sa.Column("chassis", sa.Integer, nullable=False),
        sa.Column("added_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("signer", "run_id", name="uq_runs_signer_run_id"),
    )
    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("run_id", sa.String(100), nullable=False),
        sa.Column("site", sa.String(200)),
        sa.Column("hostname", sa.String(300), nullable=False),
        sa.Column("serial", sa.String(100)),
        sa.Column("pid", sa.String(100)),
        sa.Column("platform", sa.String(50)),
        sa.Column("os", sa.String(50)),
        sa.Column("version", sa.String(100)),
        sa.Column("inspected_at", sa.String(32), nullable=False),
        sa.Column("verdict", sa.String(10), nullable=False),
        sa.Column("verdict_reason", sa.Text, nullable=False),
        sa.Column("tier", sa.String(20)),
        sa.Column("eligible", sa.Boolean),
        sa.Column("failed", _JSON, nullable=False),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("checks", _JSON, nullable=False),
        sa.Column("frus", _JSON),
        sa.Column("license", _JSON, nullable=False),
        sa.UniqueConstraint("run", "hostname", name="uq_inspections_run_hostname"),
    )
    op.create_index("ix_inspections_serial", "inspections", ["serial"])


def downgrade() -> None:
    op.drop_table("inspections")
    op.drop_table("runs")
