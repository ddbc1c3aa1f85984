"""Topic names from synthesis' taxonomy (note.analyzed's ``topic_label``): the pages and the
monthly report name a topic as synthesis does.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

S = "dashboard"


def upgrade() -> None:
    op.create_table(
        "topic_labels",
        sa.Column("topic", sa.Text, primary_key=True),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("labelled_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("topic_labels", schema=S)
