"""Erasures: what was erased, when, why and by whom (docs/privacy.md, "Retention and erasure").

A branch of its own from the first revision (``migrate`` applies every head), like the audit
trail's, so it does not depend on the order other branches land in.

Revision ID: 0150_erasures
Revises: 0001
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0150_erasures"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
SCHEMA = "intake"


def upgrade() -> None:
    op.create_table(
        "erasures",
        sa.Column("kind", sa.Text, primary_key=True),
        sa.Column("entity_id", sa.Uuid, primary_key=True),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("erased_by", sa.Text, nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("kind IN ('note', 'contact')", name="ck_erasures_kind"),
        sa.CheckConstraint("reason IN ('request', 'retention')", name="ck_erasures_reason"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("erasures", schema=SCHEMA)
