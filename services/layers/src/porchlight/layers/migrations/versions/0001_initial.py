"""Layers' first tables: records, outbox, inbox.

Other capabilities add their tables as branches from this revision (the kit upgrades to "heads").

Revision ID: 0001
Revises:
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from porchlight.kit.migrations import create_messaging_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

SCHEMA = "layers"


def upgrade() -> None:
    create_messaging_tables(op.get_bind(), SCHEMA)
    op.create_table(
        "records",
        sa.Column("record_id", sa.Uuid, primary_key=True),
        sa.Column("department", sa.Text, nullable=False),
        sa.Column("layer", sa.Text, nullable=False),
        sa.Column("external_id", sa.Text, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("geometry", JSONB),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("cell", sa.Text),
        sa.Column("district", sa.Text),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True)),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("attributes", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default="1"),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.UniqueConstraint("department", "external_id", name="records_department_external_id"),
        schema=SCHEMA,
    )
    op.create_index("records_layer_opened", "records", ["layer", "opened_at"], schema=SCHEMA)
    op.create_index("records_district_layer", "records", ["district", "layer", "opened_at"], schema=SCHEMA)
    op.create_index("records_cell", "records", ["cell"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("records", schema=SCHEMA)
    for table in ("inbox", "outbox_lane", "outbox"):
        op.drop_table(table, schema=SCHEMA)
