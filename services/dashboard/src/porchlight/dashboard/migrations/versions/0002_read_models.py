"""Read models (meetings, notes, concerns, analyses, contact counters, insights, priorities,
projects, updates) and imported crime incidents.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

S = "dashboard"
TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("meeting_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("neighborhood", sa.Text),
        sa.Column("host_id", sa.Text, nullable=False),
        sa.Column("venue_type", sa.Text, nullable=False),
        sa.Column("starts_at", TZ, nullable=False),
        sa.Column("expected_attendees", sa.Integer),
        schema=S,
    )
    op.create_index("meetings_district_starts", "meetings", ["district", "starts_at"], schema=S)
    op.create_table(
        "notes",
        sa.Column("note_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("meeting_id", UUID(as_uuid=True)),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("neighborhood", sa.Text),
        sa.Column("host_id", sa.Text, nullable=False),
        sa.Column("held_at", TZ, nullable=False),
        sa.Column("attendees", sa.Integer),
        sa.Column("sentiment", sa.SmallInteger),
        sa.Column("model_sentiment", sa.Text),
        schema=S,
    )
    op.create_index("notes_district_held", "notes", ["district", "held_at"], schema=S)
    op.create_table(
        "note_concerns",
        sa.Column("note_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("source", sa.Text, primary_key=True),
        sa.Column("idx", sa.SmallInteger, primary_key=True),
        sa.Column("topic", sa.Text),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("topic_score", sa.Float),
        sa.Column("sentiment", sa.Text),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("district", sa.Text),
        sa.Column("held_at", TZ),
        schema=S,
    )
    op.create_index(
        "note_concerns_counted", "note_concerns", ["district", "held_at"], schema=S, postgresql_where=sa.text("active")
    )
    op.create_table(
        "contact_totals",
        sa.Column("district", sa.Text, primary_key=True),
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("contacts", sa.Integer, nullable=False),
        sa.Column("minutes", sa.BigInteger, nullable=False),
        sa.Column("residents", sa.BigInteger, nullable=False),
        schema=S,
    )
    op.create_table(
        "note_analyses",
        sa.Column("note_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("model_version", sa.Text, nullable=False),
        sa.Column("sentiment", sa.Text, nullable=False),
        sa.Column("sentiment_score", sa.Float, nullable=False),
        schema=S,
    )
    op.create_table(
        "contact_stats",
        sa.Column("district", sa.Text, primary_key=True),
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("unit", sa.Text, primary_key=True),
        sa.Column("officer_id", sa.Text, primary_key=True),
        sa.Column("contact_type", sa.Text, primary_key=True),
        sa.Column("contacts", sa.Integer, nullable=False),
        sa.Column("minutes", sa.BigInteger, nullable=False),
        sa.Column("residents", sa.BigInteger, nullable=False),
        schema=S,
    )
    op.create_table(
        "insights",
        sa.Column("district", sa.Text, primary_key=True),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("top_topics", JSONB, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("model_version", sa.Text, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        schema=S,
    )
    op.create_table(
        "priorities",
        sa.Column("priority_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("quarter", sa.Text, nullable=False),
        sa.Column("topics", JSONB, nullable=False),
        schema=S,
    )
    op.create_table(
        "projects",
        sa.Column("project_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("priority_id", UUID(as_uuid=True)),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("department", sa.Text, nullable=False, server_default=""),
        sa.Column("remedy_kind", sa.Text),
        sa.Column("starts_on", sa.Date),
        sa.Column("due_on", sa.Date),
        sa.Column("completed_at", TZ),
        sa.Column("tasks_done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("status", sa.Text, nullable=False, server_default="planned"),
        sa.Column("version", sa.Integer, nullable=False, server_default="0"),
        schema=S,
    )
    op.create_index("projects_district", "projects", ["district"], schema=S)
    op.create_table(
        "updates",
        sa.Column("update_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("neighborhood", sa.Text),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("published_at", TZ, nullable=False),
        sa.Column("project_id", UUID(as_uuid=True)),
        schema=S,
    )
    op.create_index("updates_district_published", "updates", ["district", "published_at"], schema=S)
    op.create_table(
        "incidents",
        sa.Column("incident_id", sa.Text, primary_key=True),
        sa.Column("offense_code", sa.Text, nullable=False),
        sa.Column("nibrs_code", sa.Text),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("occurred_at", TZ, nullable=False),
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("block", sa.Text),
        sa.Column("district", sa.Text),
        sa.Column("import_id", UUID(as_uuid=True), nullable=False),
        schema=S,
    )
    op.create_index("incidents_district_month", "incidents", ["district", "month", "category"], schema=S)
    op.create_table(
        "incident_counts",
        sa.Column("district", sa.Text, primary_key=True),
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("category", sa.Text, primary_key=True),
        sa.Column("nibrs_code", sa.Text),
        sa.Column("n", sa.Integer, nullable=False),
        schema=S,
    )
    op.create_table(
        "incident_imports",
        sa.Column("import_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("imported", sa.Integer, nullable=False),
        sa.Column("duplicates", sa.Integer, nullable=False),
        sa.Column("rejected", sa.Integer, nullable=False),
        sa.Column("unlocated", sa.Integer, nullable=False),
        sa.Column("imported_at", TZ, nullable=False),
        schema=S,
    )


def downgrade() -> None:
    for table in (
        "incident_imports",
        "incident_counts",
        "incidents",
        "updates",
        "projects",
        "priorities",
        "insights",
        "contact_stats",
        "contact_totals",
        "note_analyses",
        "note_concerns",
        "notes",
        "meetings",
    ):
        op.drop_table(table, schema=S)
