"""Analysis: concerns with their topic and sentiment, the taxonomy and model versions, corrections,
the last published insight per district, and re-analysis progress.

The skeleton's ``notes`` table is extended in place: the revision applied, the redacted document
quotes are cut from, when the conversation took place, the host's own rating, and the note's
sentiment with the model version that scored it. Old rows get ``occurred_at = submitted_at`` and
an empty document (``porchlight synthesis reanalyze`` fills it).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "synthesis"
NOW = sa.func.now()


def upgrade() -> None:
    add = op.add_column
    add("notes", sa.Column("revision", sa.Integer, nullable=False, server_default="1"), schema=SCHEMA)
    add("notes", sa.Column("document", sa.Text, nullable=False, server_default=""), schema=SCHEMA)
    add("notes", sa.Column("occurred_at", sa.DateTime(timezone=True)), schema=SCHEMA)
    add("notes", sa.Column("host_rating", sa.SmallInteger), schema=SCHEMA)
    add("notes", sa.Column("sentiment", sa.Text), schema=SCHEMA)
    add("notes", sa.Column("sentiment_score", sa.Float), schema=SCHEMA)
    add("notes", sa.Column("model_version", sa.Text), schema=SCHEMA)
    add("notes", sa.Column("analyzed_at", sa.DateTime(timezone=True)), schema=SCHEMA)
    op.execute(f"UPDATE {SCHEMA}.notes SET occurred_at = submitted_at WHERE occurred_at IS NULL")
    op.alter_column("notes", "occurred_at", nullable=False, schema=SCHEMA)
    op.create_index("notes_place_time", "notes", ["district", "occurred_at"], schema=SCHEMA)
    op.create_index("notes_time", "notes", ["occurred_at", "note_id"], schema=SCHEMA)

    op.create_table(
        "concerns",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("note_id", sa.Uuid, sa.ForeignKey(f"{SCHEMA}.notes.note_id", ondelete="CASCADE"), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        # Where the text sits in the note's redacted document: document[span_start:span_end] == text.
        sa.Column("span_start", sa.Integer, nullable=False),
        sa.Column("span_end", sa.Integer, nullable=False),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("neighborhood", sa.Text),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("topic_score", sa.Float, nullable=False),
        sa.Column("best_topic", sa.Text, nullable=False),
        sa.Column("topic_source", sa.Text, nullable=False, server_default="model"),
        sa.Column("sentiment", sa.Text, nullable=False),
        sa.Column("sentiment_score", sa.Float, nullable=False),
        sa.Column("model_version", sa.Text, nullable=False),
        sa.Column("embedding", sa.LargeBinary, nullable=False),
        sa.UniqueConstraint("note_id", "position"),
        sa.CheckConstraint("topic_source IN ('model', 'supervisor')", name="concerns_topic_source"),
        sa.CheckConstraint("sentiment IN ('negative', 'neutral', 'positive')", name="concerns_sentiment"),
        schema=SCHEMA,
    )
    op.create_index("concerns_place_time", "concerns", ["district", "occurred_at"], schema=SCHEMA)
    op.create_index("concerns_topic_time", "concerns", ["topic", "occurred_at"], schema=SCHEMA)

    op.create_table(
        "taxonomy_versions",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("document", JSONB, nullable=False),
        sa.Column("fingerprint", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        schema=SCHEMA,
    )
    op.create_table(
        "corrections",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("concern_id", sa.BigInteger),  # concerns are replaced on re-analysis: no FK
        sa.Column("note_id", sa.Uuid, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("from_topic", sa.Text, nullable=False),
        sa.Column("to_topic", sa.Text, nullable=False),
        sa.Column("corrected_by", sa.Text, nullable=False),
        sa.Column("corrected_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        schema=SCHEMA,
    )
    op.create_table(
        "model_versions",
        sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("taxonomy_version", sa.Integer, nullable=False),
        sa.Column("corrections_upto", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("created_by", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        schema=SCHEMA,
    )
    op.create_table(
        "insight_state",
        sa.Column("district", sa.Text, primary_key=True),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("top_topics", JSONB, nullable=False),
        sa.Column("topic_notes", JSONB, nullable=False),
        sa.Column("model_version", sa.Text, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        schema=SCHEMA,
    )
    op.create_table(
        "reanalysis_runs",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("model_version", sa.Text, nullable=False),
        sa.Column("cursor_occurred_at", sa.DateTime(timezone=True)),
        sa.Column("cursor_note_id", sa.Uuid),
        sa.Column("notes_seen", sa.Integer, nullable=False, server_default="0"),
        sa.Column("notes_analyzed", sa.Integer, nullable=False, server_default="0"),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=NOW),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        schema=SCHEMA,
    )


def downgrade() -> None:
    for table in ("reanalysis_runs", "insight_state", "model_versions", "corrections", "taxonomy_versions"):
        op.drop_table(table, schema=SCHEMA)
    op.drop_table("concerns", schema=SCHEMA)
    op.drop_index("notes_time", "notes", schema=SCHEMA)
    op.drop_index("notes_place_time", "notes", schema=SCHEMA)
    for column in (
        "analyzed_at",
        "model_version",
        "sentiment_score",
        "sentiment",
        "host_rating",
        "occurred_at",
        "document",
        "revision",
    ):
        op.drop_column("notes", column, schema=SCHEMA)
