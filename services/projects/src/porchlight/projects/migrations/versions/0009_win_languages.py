"""A win in each language residents read it in, and the written reason when it reads above
grade 10 (issue 18: "publishing above grade 10 needs a written reason, kept with the update").

Revision ID: 0009
Revises: 0008
Create Date: 2027-01-20
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "projects"
COLUMNS = ("title_es", "body_es", "plain_language_reason")


def upgrade() -> None:
    for name in COLUMNS:
        op.add_column("wins", sa.Column(name, sa.Text), schema=SCHEMA)
    op.add_column("wins", sa.Column("reading_grade", sa.Float), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("wins", "reading_grade", schema=SCHEMA)
    for name in reversed(COLUMNS):
        op.drop_column("wins", name, schema=SCHEMA)
