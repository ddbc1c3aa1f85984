"""Layers' latest target-vs-control result per completed project (a read model from events only)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from porchlight.projects.db import metadata

project_impacts = sa.Table(
    "project_impacts",
    metadata,
    sa.Column("project_id", sa.Uuid, primary_key=True),
    sa.Column("priority_id", sa.Uuid, nullable=False, index=True),
    sa.Column("district", sa.Text, nullable=False),
    #: The event's version: a result arriving late never replaces a newer one.
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
    #: The ``project.evaluated`` payload: figures, p-value, summary.
    sa.Column("result", JSONB, nullable=False),
    sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)
