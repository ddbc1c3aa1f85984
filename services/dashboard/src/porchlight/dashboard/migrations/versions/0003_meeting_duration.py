"""A meeting's duration (meeting.scheduled's optional ``duration_minutes``).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

S = "dashboard"


def upgrade() -> None:
    # Null: the event said nothing (older producers); the engagement hours count 60 minutes then.
    op.add_column("meetings", sa.Column("duration_minutes", sa.Integer), schema=S)


def downgrade() -> None:
    op.drop_column("meetings", "duration_minutes", schema=S)
