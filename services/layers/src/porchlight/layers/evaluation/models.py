"""Completed projects with a place (from ``project.completed``) and their latest target-vs-control result."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from porchlight.layers.db import metadata

#: One row per completed project with a point. ``due_at`` is when it is next evaluated: a whole
#: day after completion, then daily while the after period fills; None once the result is final.
project_evaluations = sa.Table(
    "project_evaluations",
    metadata,
    sa.Column("project_id", sa.Uuid, primary_key=True),
    sa.Column("priority_id", sa.Uuid, nullable=False),
    sa.Column("district", sa.Text, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("status", sa.Text, nullable=False, server_default="waiting"),  # waiting | evaluated | failed
    sa.Column("due_at", sa.DateTime(timezone=True)),
    sa.Column("evaluated_at", sa.DateTime(timezone=True)),
    #: How many results were published (the event's ``version``).
    sa.Column("version", sa.Integer, nullable=False, server_default="0"),
    #: The latest result: the ``project.evaluated`` payload as published.
    sa.Column("result", JSONB),
    #: Why it could not be evaluated (status failed), e.g. a district too small to match in.
    sa.Column("reason", sa.Text),
    sa.Index("project_evaluations_due", "due_at"),
)
