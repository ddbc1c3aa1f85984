"""Same-block connections and the city's connection rules.

Revision ID: 0005_connections
Revises: 0001
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0005_connections"
down_revision: str | None = "0001"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "layers"


def upgrade() -> None:
    op.create_table(
        "connections",
        sa.Column("correlation_id", sa.Uuid, primary_key=True),
        sa.Column("rule", sa.Text, nullable=False),
        sa.Column("record_id", sa.Uuid, nullable=False),
        sa.Column("district", sa.Text, nullable=False),
        sa.Column("cell", sa.Text, nullable=False),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("evidence", JSONB, nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("close_reason", sa.Text),
        schema=SCHEMA,
    )
    op.create_index(
        "connections_open_once",
        "connections",
        ["rule", "record_id"],
        unique=True,
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index("connections_district", "connections", ["district", "status"], schema=SCHEMA)
    op.create_table(
        "connection_rules",
        sa.Column("city", sa.Text, primary_key=True),
        sa.Column("document", JSONB, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_by", sa.Text, nullable=False),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("connection_rules", schema=SCHEMA)
    op.drop_table("connections", schema=SCHEMA)
