"""Issues flagged by departments: through layers' API and form, or by their own systems' events."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from porchlight.layers.db import metadata

issues = sa.Table(
    "issues",
    metadata,
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
    sa.Column("source", sa.Text, nullable=False),  # http | kafka
    sa.Index("issues_district_flagged", "district", "flagged_at"),
)
