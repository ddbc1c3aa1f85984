"""The outreach team's branding: one row, set by an admin (absent: the default of schemas.py)."""

from __future__ import annotations

import sqlalchemy as sa

from porchlight.dashboard.db import metadata

branding = sa.Table(
    "branding",
    metadata,
    sa.Column("scope", sa.Text, primary_key=True),  # 'city'
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("tagline", sa.Text, nullable=False),
    sa.Column("primary_color", sa.Text, nullable=False),
    sa.Column("on_primary", sa.Text, nullable=False),
    sa.Column("accent", sa.Text, nullable=False),
    sa.Column("contact", sa.Text),
    #: A PNG re-encoded from the admin's upload (never SVG: it may carry script), with its ETag.
    sa.Column("logo", sa.LargeBinary),
    sa.Column("logo_etag", sa.Text),
    sa.Column("updated_by", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
)
