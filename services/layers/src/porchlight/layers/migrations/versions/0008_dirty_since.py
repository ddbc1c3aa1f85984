"""When a cell was first marked dirty: the worker re-evaluates only the records changed since.

Revision ID: 0008_dirty_since
Revises: 0007_evaluations
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_dirty_since"
down_revision: str | None = "0007_evaluations"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "layers"


def upgrade() -> None:
    op.add_column(
        "dirty_cells",
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_column("dirty_cells", "marked_at", schema=SCHEMA)
