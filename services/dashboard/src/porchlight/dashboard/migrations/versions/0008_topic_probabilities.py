"""What the dashboard estimates topic counts from, as synthesis does (issue 17): each model concern's
topic probabilities and who set its topic (``note.analyzed``), and synthesis' calibration
(``topic.calibrated``, the newest kept). Numbers only: an erasure leaves them. Rows analyzed before
synthesis published them have none; ``porchlight dashboard rebuild`` fills what the broker holds.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "dashboard"


def upgrade() -> None:
    op.add_column("note_concerns", sa.Column("topic_probs", JSONB), schema=S)
    op.add_column("note_concerns", sa.Column("topic_source", sa.Text), schema=S)
    op.create_table(
        "topic_calibration",
        sa.Column("scope", sa.Text, primary_key=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", JSONB, nullable=False),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("topic_calibration", schema=S)
    op.drop_column("note_concerns", "topic_source", schema=S)
    op.drop_column("note_concerns", "topic_probs", schema=S)
