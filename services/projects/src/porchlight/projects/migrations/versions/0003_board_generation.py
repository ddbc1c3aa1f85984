"""The board's generation: one counter every card change bumps in its own transaction.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "projects"


def upgrade() -> None:
    op.create_table(
        "board_state",
        sa.Column("id", sa.SmallInteger, primary_key=True),
        sa.Column("generation", sa.BigInteger, nullable=False),
        sa.CheckConstraint("id = 1", name="ck_board_state_one_row"),
        schema=SCHEMA,
    )
    op.execute(f"INSERT INTO {SCHEMA}.board_state (id, generation) VALUES (1, 0)")


def downgrade() -> None:
    op.drop_table("board_state", schema=SCHEMA)
