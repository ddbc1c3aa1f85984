"""The city's places (districts, neighborhoods) and their version row.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "intake"


def upgrade() -> None:
    op.create_table(
        "places",
        sa.Column("code", sa.Text, primary_key=True),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("parent_code", sa.Text, sa.ForeignKey(f"{SCHEMA}.places.code")),
        sa.Column("geometry", JSONB, nullable=False),
        sa.Column("min_lon", sa.Float, nullable=False),
        sa.Column("min_lat", sa.Float, nullable=False),
        sa.Column("max_lon", sa.Float, nullable=False),
        sa.Column("max_lat", sa.Float, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("kind IN ('district', 'neighborhood')", name="ck_places_kind"),
        sa.CheckConstraint("(kind = 'district') = (parent_code IS NULL)", name="ck_places_parent"),
        schema=SCHEMA,
    )
    op.create_index("ix_places_kind", "places", ["kind"], schema=SCHEMA)
    op.execute(f"CREATE SEQUENCE {SCHEMA}.places_version_seq")
    op.create_table(
        "places_version",
        sa.Column("id", sa.SmallInteger, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("id = 1", name="ck_places_version_single_row"),
        schema=SCHEMA,
    )
    op.execute(f"INSERT INTO {SCHEMA}.places_version (id, version) VALUES (1, 0)")


def downgrade() -> None:
    op.drop_table("places_version", schema=SCHEMA)
    op.execute(f"DROP SEQUENCE {SCHEMA}.places_version_seq")
    op.drop_table("places", schema=SCHEMA)
