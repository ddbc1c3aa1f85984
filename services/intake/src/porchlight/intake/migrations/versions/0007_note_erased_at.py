"""Notes: when a note's words were erased (docs/privacy.md, "Retention and erasure"), so that its
author cannot write words into it again by a revision.

Revision ID: 0007_note_erased_at
Revises: 0006_import_warnings
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_note_erased_at"
down_revision: str | None = "0006_import_warnings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
SCHEMA = "intake"


def upgrade() -> None:
    op.add_column("notes", sa.Column("erased_at", sa.DateTime(timezone=True)), schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("notes", "erased_at", schema=SCHEMA)
