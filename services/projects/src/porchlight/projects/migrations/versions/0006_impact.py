"""Layers' target-vs-control results of completed projects (a read model of project.evaluated).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "projects"


def upgrade() -> None:
    op.create_table(
        "project_impacts",
        sa.Column("project_id", sa.Uuid, primary_key=True),
        sa.Column("priority_id", sa.Uuid, nullable=False),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("result", JSONB, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_index("ix_project_impacts_priority_id", "project_impacts", ["priority_id"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("project_impacts", schema=SCHEMA)
