"""A model version's topic shares, fitted to the concerns the city received (model/topics.py ``adapt``).

A version stays fully determined by its row: the shares are stored on it, not recomputed, so every
replica and ``porchlight synthesis reanalyze`` rebuild the same model.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "synthesis"


def upgrade() -> None:
    op.add_column("model_versions", sa.Column("topic_priors", JSONB), schema=SCHEMA)
    op.add_column(
        "model_versions", sa.Column("adapted_on", sa.Integer, nullable=False, server_default="0"), schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_column("model_versions", "adapted_on", schema=SCHEMA)
    op.drop_column("model_versions", "topic_priors", schema=SCHEMA)
