"""Flagged issues as the district page shows them (a read model of ``issue.flagged``)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from porchlight.dashboard.db import metadata

flagged_issues = sa.Table(
    "flagged_issues",
    metadata,
    sa.Column("issue_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("district", sa.Text, nullable=False),
    sa.Column("department", sa.Text, nullable=False),
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("place", sa.Text),
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("flagged_issues_district", "district", "flagged_at"),
)
