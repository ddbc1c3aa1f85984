"""Residents' concerns by place and topic, and notes' sentiment (read models of note events).

Revision ID: 0003_concerns
Revises: 0001
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_concerns"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "layers"


def upgrade() -> None:
    op.create_table(
        "note_concerns",
        sa.Column("note_id", sa.Uuid, primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("topic", sa.Text),
        schema=SCHEMA,
    )
    op.create_index("note_concerns_place", "note_concerns", ["lat", "lon"], schema=SCHEMA)
    op.create_index("note_concerns_topic", "note_concerns", ["topic", "occurred_at"], schema=SCHEMA)
    op.create_table(
        "note_topics",
        sa.Column("note_id", sa.Uuid, primary_key=True),
        sa.Column("text", sa.Text, primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        schema=SCHEMA,
    )
    op.create_table(
        "note_moods",
        sa.Column("note_id", sa.Uuid, primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sentiment_score", sa.Float, nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("note_moods", schema=SCHEMA)
    op.drop_table("note_topics", schema=SCHEMA)
    op.drop_table("note_concerns", schema=SCHEMA)
