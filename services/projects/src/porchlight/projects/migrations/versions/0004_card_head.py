"""The card's JSON kept with the project, so the board reads it instead of building it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "projects"


def upgrade() -> None:
    # NULL for rows written before: the board builds those cards itself (board/repository.py).
    op.add_column("projects", sa.Column("card_head", sa.Text), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("projects", "card_head", schema=SCHEMA)
