"""Crime incidents move to layers: the dashboard keeps counts from ``record.accepted`` only.

The imported ``incidents`` and ``incident_imports`` tables go; ``incident_records`` (each
incident's latest version, from events) comes; the counts start again from the events (a city
re-imports its incident file into layers once, where the same ids are stored once).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: Sequence[str] | None = None
depends_on: Sequence[str] | None = None

S = "dashboard"


def upgrade() -> None:
    op.drop_table("incidents", schema=S)
    op.drop_table("incident_imports", schema=S)
    op.execute(sa.text(f"DELETE FROM {S}.incident_counts"))
    op.create_table(
        "incident_records",
        sa.Column("record_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("district", sa.Text),
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("nibrs_code", sa.Text),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("incident_records", schema=S)
    op.create_table(
        "incident_imports",
        sa.Column("import_id", UUID(as_uuid=True), primary_key=True),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("imported", sa.Integer, nullable=False),
        sa.Column("duplicates", sa.Integer, nullable=False),
        sa.Column("rejected", sa.Integer, nullable=False),
        sa.Column("unlocated", sa.Integer, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.create_table(
        "incidents",
        sa.Column("incident_id", sa.Text, primary_key=True),
        sa.Column("offense_code", sa.Text, nullable=False),
        sa.Column("nibrs_code", sa.Text),
        sa.Column("category", sa.Text, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("month", sa.Date, nullable=False),
        sa.Column("lat", sa.Float),
        sa.Column("lon", sa.Float),
        sa.Column("block", sa.Text),
        sa.Column("district", sa.Text),
        sa.Column("import_id", UUID(as_uuid=True), nullable=False),
        schema=S,
    )
