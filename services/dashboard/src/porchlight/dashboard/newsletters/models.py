"""Updates waiting to be mailed: queued with the update (update.published), composed and handed
to intake by the composer (worker.py)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from porchlight.dashboard.db import metadata

newsletter_requests = sa.Table(
    "newsletter_requests",
    metadata,
    sa.Column("update_id", UUID(as_uuid=True), primary_key=True),
    #: pending (to compose) | requested (newsletter.requested is in the outbox)
    sa.Column("status", sa.Text, nullable=False, server_default="pending"),
    sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("requested_at", sa.DateTime(timezone=True)),
    sa.Index("newsletter_requests_pending", "queued_at", postgresql_where=sa.text("status = 'pending'")),
)
