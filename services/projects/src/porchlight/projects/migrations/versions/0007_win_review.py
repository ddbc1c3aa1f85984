"""A win's review: who wrote it (the project's owner and department) and why it was sent back.

Revision ID: 0007
Revises: 0006
Create Date: 2027-01-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "projects"
COLUMNS = ("author", "department", "return_reason", "returned_by")


def upgrade() -> None:
    # NULL for wins drafted before: nobody to send them back to but the supervisors themselves.
    for name in COLUMNS:
        op.add_column("wins", sa.Column(name, sa.Text), schema=SCHEMA)
    op.add_column("wins", sa.Column("returned_at", sa.DateTime(timezone=True)), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("wins", "returned_at", schema=SCHEMA)
    for name in reversed(COLUMNS):
        op.drop_column("wins", name, schema=SCHEMA)
