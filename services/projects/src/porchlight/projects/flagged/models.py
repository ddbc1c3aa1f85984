"""Issues departments flagged (from ``issue.flagged``), waiting to become micro-projects."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from porchlight.projects.db import metadata

flagged = sa.Table(
    "flagged",
    metadata,
    sa.Column("issue_id", sa.Uuid, primary_key=True),
    sa.Column("district", sa.Text, nullable=False),
    sa.Column("department", sa.Text, nullable=False),  # the flagging department: the card's owner
    sa.Column("category", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("place", sa.Text),
    sa.Column("lat", sa.Float),
    sa.Column("lon", sa.Float),
    sa.Column("record_ids", JSONB, nullable=False),
    sa.Column("remedy_kind", sa.Text, nullable=False),
    #: True when the department proposed the remedy kind; False when projects' rules did.
    sa.Column("remedy_given", sa.Boolean, nullable=False),
    sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("status", sa.Text, nullable=False),  # flagged | converted | dismissed
    sa.Column("project_id", sa.Uuid),
    sa.Index("flagged_district_status", "district", "status"),
)
