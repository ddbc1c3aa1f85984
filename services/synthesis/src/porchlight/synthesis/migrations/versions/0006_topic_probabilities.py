"""Each concern's topic probabilities, and a correction's copy of them (model/quantify.py).

Topic counts are estimated from how sure the model was of each concern, not from its label alone,
and the corrections the city made calibrate those probabilities. Both are numbers over the
taxonomy's topics (``{"street_lighting": 0.81, ...}``, the topics of at least 0.0005), so they stay
when an erasure blanks the words. Concerns analyzed before this migration have none; the counts
read them from their best topic and score until a re-analysis stores the real ones.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "synthesis"


def upgrade() -> None:
    op.add_column("concerns", sa.Column("topic_probs", JSONB), schema=SCHEMA)
    op.add_column("corrections", sa.Column("topic_probs", JSONB), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("corrections", "topic_probs", schema=SCHEMA)
    op.drop_column("concerns", "topic_probs", schema=SCHEMA)
