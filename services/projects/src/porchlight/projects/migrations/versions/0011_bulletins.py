"""Bulletins (issue 18): what a supervisor tells a neighborhood, scored for plain language, with the
reason when it reads above grade 10.

Revision ID: 0011
Revises: 0010
Create Date: 2027-01-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "projects"


def upgrade() -> None:
    op.create_table(
        "bulletins",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("neighborhood", sa.Text),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("title_es", sa.Text),
        sa.Column("body_es", sa.Text),
        sa.Column("reading_grade", sa.Float, nullable=False),
        sa.Column("plain_language_reason", sa.Text),
        sa.Column("author", sa.Text, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        schema=SCHEMA,
    )
    op.create_index("bulletins_district_published", "bulletins", ["district", "published_at"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_index("bulletins_district_published", "bulletins", schema=SCHEMA)
    op.drop_table("bulletins", schema=SCHEMA)
