"""The trace a received note came in, so that its analysis continues it (docs/operations.md, "Tracing").

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "synthesis"


def upgrade() -> None:
    op.add_column("notes", sa.Column("trace_context", JSONB), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("notes", "trace_context", schema=SCHEMA)
