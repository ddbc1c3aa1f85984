"""Cells whose records, incidents or concerns changed, for the connections worker.

Revision ID: 0006_dirty_cells
Revises: 0005_connections
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_dirty_cells"
down_revision: str | None = "0005_connections"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "layers"


def upgrade() -> None:
    op.create_table(
        "dirty_cells",
        sa.Column("cell", sa.Text, primary_key=True),
        sa.Column("spread", sa.Boolean, nullable=False, server_default=sa.false()),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("dirty_cells", schema=SCHEMA)
