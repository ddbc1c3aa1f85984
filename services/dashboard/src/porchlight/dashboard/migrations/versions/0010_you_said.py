""" "You said, we did" (issue 18): each priority's and each published win's concerns, picked by
topic and place, the day from which their notes count and the residents' words quoted (by
reference to a note's concern), so the notes behind a win are found and counted here.

Revision ID: 0010
Revises: 0009
Create Date: 2027-01-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "dashboard"
EMPTY = sa.text("'[]'::jsonb")


def _picks(table: str) -> None:
    op.add_column(table, sa.Column("concerns", JSONB, nullable=False, server_default=EMPTY), schema=S)
    op.add_column(table, sa.Column("heard_since", sa.Date), schema=S)
    op.add_column(table, sa.Column("quotes", JSONB, nullable=False, server_default=EMPTY), schema=S)


def upgrade() -> None:
    op.add_column("priorities", sa.Column("neighborhood", sa.Text), schema=S)
    _picks("priorities")
    op.add_column("updates", sa.Column("priority_id", UUID(as_uuid=True)), schema=S)
    _picks("updates")
    op.create_index("updates_priority", "updates", ["priority_id"], schema=S)
    op.create_index("projects_priority", "projects", ["priority_id"], schema=S)


def downgrade() -> None:
    op.drop_index("projects_priority", "projects", schema=S)
    op.drop_index("updates_priority", "updates", schema=S)
    for table in ("updates", "priorities"):
        for column in ("quotes", "heard_since", "concerns"):
            op.drop_column(table, column, schema=S)
    op.drop_column("updates", "priority_id", schema=S)
    op.drop_column("priorities", "neighborhood", schema=S)
