"""Positive contacts' residents reached per district, neighborhood and month (the listening gap).

A branch of its own from the first revision (``migrate`` applies every head), so it does not
race the read models' numbered chain. Rows come from ``contact.logged``; ``porchlight dashboard
rebuild`` fills it for contacts logged before it existed.

Revision ID: 0200_contact_reach
Revises: 0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0200_contact_reach"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "dashboard"


def upgrade() -> None:
    op.create_table(
        "contact_reach",
        sa.Column("district", sa.Text, primary_key=True),
        sa.Column("neighborhood", sa.Text, primary_key=True),
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("contacts", sa.Integer, nullable=False),
        sa.Column("residents", sa.BigInteger, nullable=False),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("contact_reach", schema=S)
