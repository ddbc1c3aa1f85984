"""Priorities and wins pick residents' concerns by topic and place, from a day on, and quote
their words by reference (issue 18: "a priority takes its concerns, counts and quotes from
synthesis ... no typing of figures").

Revision ID: 0010
Revises: 0009
Create Date: 2027-01-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "projects"
TABLES = ("priorities", "wins")


def upgrade() -> None:
    for table in TABLES:
        op.add_column(table, sa.Column("heard_since", sa.Date), schema=SCHEMA)
        op.add_column(
            table, sa.Column("quotes", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")), schema=SCHEMA
        )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_column(table, "quotes", schema=SCHEMA)
        op.drop_column(table, "heard_since", schema=SCHEMA)
