"""The calibration last published as ``topic.calibrated`` (calibration/service.py).

With each concern's topic probabilities in ``note.analyzed``, the dashboard estimates topic counts
as synthesis does; it needs the calibration synthesis uses, which changes when the city's
corrections grow. This row remembers which one was published, so a start or a refit publishes
only a calibration the readers do not have yet.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "synthesis"


def upgrade() -> None:
    op.create_table(
        "published_calibration",
        sa.Column("scope", sa.Text, primary_key=True),
        sa.Column("digest", sa.Text, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("published_calibration", schema=SCHEMA)
