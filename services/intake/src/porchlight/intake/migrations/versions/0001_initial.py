"""Intake's first tables: notes, outbox, inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from porchlight.kit.migrations import create_messaging_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "intake"


def upgrade() -> None:
    create_messaging_tables(op.get_bind(), SCHEMA)
    op.create_table(
        "notes",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("neighborhood", sa.Text),
        sa.Column("host_id", sa.Text, nullable=False),
        sa.Column("concerns", JSONB, nullable=False, server_default="[]"),
        sa.Column("sentiment", sa.SmallInteger),
        sa.Column("attendees", sa.SmallInteger),
        sa.Column("text", sa.Text, nullable=False, server_default=""),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.create_index("ix_notes_district_submitted", "notes", ["district", "submitted_at"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("notes", schema=SCHEMA)
    for table in ("inbox", "outbox_lane", "outbox"):
        op.drop_table(table, schema=SCHEMA)
