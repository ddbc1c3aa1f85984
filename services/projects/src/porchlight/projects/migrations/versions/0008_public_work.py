"""Public work: which projects and tasks residents see, and whether a done task is announced.

Revision ID: 0008
Revises: 0007
Create Date: 2027-01-20
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "projects"


def upgrade() -> None:
    # Work planned before residents had pages stays internal until its owner says otherwise.
    op.add_column("projects", sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()), schema=SCHEMA)
    op.add_column(
        "projects", sa.Column("announce_tasks", sa.Boolean, nullable=False, server_default=sa.false()), schema=SCHEMA
    )
    op.add_column("tasks", sa.Column("public", sa.Boolean, nullable=False, server_default=sa.false()), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("tasks", "public", schema=SCHEMA)
    op.drop_column("projects", "announce_tasks", schema=SCHEMA)
    op.drop_column("projects", "public", schema=SCHEMA)
