"""Photos of the everyday work: uploaded against a micro-project (and one of its tasks, or its win),
kept unapproved until a supervisor of its district approves them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from porchlight.dashboard.db import metadata

photos = sa.Table(
    "photos",
    metadata,
    sa.Column("photo_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("project_id", UUID(as_uuid=True), nullable=False, index=True),
    #: The task it shows, if one (else the project as a whole, and its win).
    sa.Column("task_id", UUID(as_uuid=True)),
    sa.Column("district", sa.Text, nullable=False),
    #: What the photo shows, for people who cannot see it (required), in English and Spanish.
    sa.Column("alt_text", sa.Text, nullable=False),
    sa.Column("alt_text_es", sa.Text),
    #: The cleaned JPEG (no metadata, at most 1600 px a side) and its 480 px thumbnail.
    sa.Column("image", sa.LargeBinary, nullable=False),
    sa.Column("thumb", sa.LargeBinary, nullable=False),
    sa.Column("width", sa.Integer, nullable=False),
    sa.Column("height", sa.Integer, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="pending"),  # pending | approved | rejected
    sa.Column("uploaded_by", sa.Text, nullable=False),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("reviewed_by", sa.Text),
    sa.Column("reviewed_at", sa.DateTime(timezone=True)),
    sa.Column("reject_reason", sa.Text),
)
