"""Completed projects with a place and their target-vs-control results.

Revision ID: 0007_evaluations
Revises: 0006_dirty_cells
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0007_evaluations"
down_revision: str | None = "0006_dirty_cells"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "layers"


def upgrade() -> None:
    op.create_table(
        "project_evaluations",
        sa.Column("project_id", sa.Uuid, primary_key=True),
        sa.Column("priority_id", sa.Uuid, nullable=False),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("status", sa.Text, nullable=False, server_default="waiting"),
        sa.Column("due_at", sa.DateTime(timezone=True)),
        sa.Column("evaluated_at", sa.DateTime(timezone=True)),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        sa.Column("result", JSONB),
        sa.Column("reason", sa.Text),
        schema=SCHEMA,
    )
    op.create_index("project_evaluations_due", "project_evaluations", ["due_at"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("project_evaluations", schema=SCHEMA)
