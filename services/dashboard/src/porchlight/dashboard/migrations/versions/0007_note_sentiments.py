"""The model's sentiment of each note from sentiment.scored (issue 17): the latest analysis wins.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB, UUID

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

S = "dashboard"


def upgrade() -> None:
    op.create_table(
        "note_sentiments",
        sa.Column("note_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("analyzed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("model_version", sa.Text, nullable=False),
        sa.Column("sentiment", sa.Text, nullable=False),
        sa.Column("sentiment_score", sa.Float, nullable=False),
        sa.Column("concerns", JSONB, nullable=False),
        sa.Column("host_rating", sa.SmallInteger),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("note_sentiments", schema=S)
