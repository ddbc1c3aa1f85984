"""Issues departments flagged, for the district page and its map.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

S = "dashboard"


def upgrade() -> None:
    op.create_table(
        "flagged_issues",
        sa.Column("issue_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("department", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("place", sa.Text),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.create_index("flagged_issues_district", "flagged_issues", ["district", "flagged_at"], schema=S)


def downgrade() -> None:
    op.drop_table("flagged_issues", schema=S)
