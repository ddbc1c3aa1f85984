"""Issues flagged by departments.

Revision ID: 0002_issues
Revises: 0001
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0002_issues"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "layers"


def upgrade() -> None:
    op.create_table(
        "issues",
        sa.Column("issue_id", sa.Uuid, primary_key=True),
        sa.Column("department", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("place", sa.Text),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("record_ids", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        sa.Column("remedy_kind", sa.Text),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("flagged_by", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        schema=SCHEMA,
    )
    op.create_index("issues_district_flagged", "issues", ["district", "flagged_at"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("issues", schema=SCHEMA)
