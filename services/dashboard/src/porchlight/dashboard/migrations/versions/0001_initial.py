"""Dashboard's first tables: district activity, outbox, inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from porchlight.kit.migrations import create_messaging_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "dashboard"


def upgrade() -> None:
    create_messaging_tables(op.get_bind(), SCHEMA)
    op.create_table(
        "district_activity",
        sa.Column("district", sa.Text, primary_key=True),
        sa.Column("notes", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_note_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("district_activity", schema=SCHEMA)
    for table in ("inbox", "outbox_lane", "outbox"):
        op.drop_table(table, schema=SCHEMA)
