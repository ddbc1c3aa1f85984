"""Issues flagged by departments, on the board's Flagged column.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "projects"


def upgrade() -> None:
    op.create_table(
        "flagged",
        sa.Column("issue_id", sa.Uuid, primary_key=True),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("department", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("place", sa.Text),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("record_ids", JSONB, nullable=False),
        sa.Column("remedy_kind", sa.Text, nullable=False),
        sa.Column("remedy_given", sa.Boolean, nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("project_id", sa.Uuid),
        schema=SCHEMA,
    )
    op.create_index("flagged_district_status", "flagged", ["district", "status"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("flagged", schema=SCHEMA)
