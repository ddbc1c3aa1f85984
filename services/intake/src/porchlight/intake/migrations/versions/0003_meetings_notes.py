"""Micro-meetings; the standardized note form and its revision history.

The walking skeleton's ``notes`` table is extended in place: concerns stored as plain strings
become ``{"text": ...}`` objects, ``held_at`` defaults to the submission time, and every
existing note gets its revision 1 in ``note_revisions``. ``redacted`` stays empty for those old
rows; readers redact them on the fly.

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "intake"
VENUES = ("living_room", "library", "place_of_worship", "coffee_shop", "school", "park", "online", "other")


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    ]


def upgrade() -> None:
    venues = ", ".join(f"'{v}'" for v in VENUES)
    op.create_table(
        "meetings",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("host_id", sa.Text, nullable=False),
        sa.Column("host_kind", sa.Text, nullable=False),
        sa.Column("host_org", sa.Text),
        sa.Column("co_hosts", JSONB, nullable=False, server_default="[]"),
        sa.Column("venue_type", sa.Text, nullable=False),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("neighborhood", sa.Text),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("place_name", sa.Text),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.SmallInteger),
        sa.Column("language", sa.Text, nullable=False, server_default="en"),
        sa.Column("expected_attendees", sa.SmallInteger),
        sa.Column("actual_attendees", sa.SmallInteger),
        sa.Column("content_hash", sa.Text, nullable=False),
        *_timestamps(),
        sa.CheckConstraint(f"venue_type IN ({venues})", name="ck_meetings_venue_type"),
        schema=SCHEMA,
    )
    op.create_index("ix_meetings_starts_id", "meetings", ["starts_at", "id"], schema=SCHEMA)
    op.create_index("ix_meetings_district_starts", "meetings", ["district", "starts_at"], schema=SCHEMA)
    op.create_index("ix_meetings_host_starts", "meetings", ["host_id", "starts_at"], schema=SCHEMA)

    t = f"{SCHEMA}.notes"
    op.add_column("notes", sa.Column("meeting_id", sa.Uuid, sa.ForeignKey(f"{SCHEMA}.meetings.id")), schema=SCHEMA)
    op.add_column("notes", sa.Column("lat", sa.Float), schema=SCHEMA)
    op.add_column("notes", sa.Column("lon", sa.Float), schema=SCHEMA)
    op.add_column("notes", sa.Column("place_name", sa.Text), schema=SCHEMA)
    op.add_column("notes", sa.Column("follow_ups", JSONB, nullable=False, server_default="[]"), schema=SCHEMA)
    op.add_column("notes", sa.Column("held_at", sa.DateTime(timezone=True)), schema=SCHEMA)
    op.add_column("notes", sa.Column("revision", sa.Integer, nullable=False, server_default="1"), schema=SCHEMA)
    op.add_column("notes", sa.Column("revised_at", sa.DateTime(timezone=True)), schema=SCHEMA)
    op.add_column("notes", sa.Column("content_hash", sa.Text), schema=SCHEMA)
    op.add_column("notes", sa.Column("redacted", JSONB, nullable=False, server_default="{}"), schema=SCHEMA)
    op.execute(f"UPDATE {t} SET held_at = submitted_at")
    op.alter_column("notes", "held_at", nullable=False, schema=SCHEMA)
    op.execute(
        f"""UPDATE {t} SET concerns = (
                SELECT coalesce(jsonb_agg(CASE WHEN jsonb_typeof(c) = 'string'
                                               THEN jsonb_build_object('text', c) ELSE c END), '[]'::jsonb)
                FROM jsonb_array_elements(concerns) AS c)"""
    )
    op.create_index("ix_notes_submitted_id", "notes", ["submitted_at", "id"], schema=SCHEMA)
    op.create_index("ix_notes_host_submitted", "notes", ["host_id", "submitted_at"], schema=SCHEMA)
    op.create_index("ix_notes_meeting", "notes", ["meeting_id"], schema=SCHEMA)

    op.create_table(
        "note_revisions",
        sa.Column("note_id", sa.Uuid, sa.ForeignKey(f"{SCHEMA}.notes.id"), primary_key=True),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("author_id", sa.Text, nullable=False),
        sa.Column("meeting_id", sa.Uuid),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("neighborhood", sa.Text),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("place_name", sa.Text),
        sa.Column("concerns", JSONB, nullable=False, server_default="[]"),
        sa.Column("sentiment", sa.SmallInteger),
        sa.Column("attendees", sa.SmallInteger),
        sa.Column("follow_ups", JSONB, nullable=False, server_default="[]"),
        sa.Column("text", sa.Text, nullable=False, server_default=""),
        sa.Column("held_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redacted", JSONB, nullable=False, server_default="{}"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=SCHEMA,
    )
    op.execute(
        f"""INSERT INTO {SCHEMA}.note_revisions
                (note_id, revision, author_id, district, neighborhood, concerns, sentiment, attendees,
                 text, held_at, created_at)
            SELECT id, 1, host_id, district, neighborhood, concerns, sentiment, attendees,
                   text, held_at, submitted_at
            FROM {t}"""
    )


def downgrade() -> None:
    op.drop_table("note_revisions", schema=SCHEMA)
    for index in ("ix_notes_meeting", "ix_notes_host_submitted", "ix_notes_submitted_id"):
        op.drop_index(index, table_name="notes", schema=SCHEMA)
    for column in (
        "redacted",
        "content_hash",
        "revised_at",
        "revision",
        "held_at",
        "follow_ups",
        "place_name",
        "lon",
        "lat",
        "meeting_id",
    ):
        op.drop_column("notes", column, schema=SCHEMA)
    op.drop_table("meetings", schema=SCHEMA)
