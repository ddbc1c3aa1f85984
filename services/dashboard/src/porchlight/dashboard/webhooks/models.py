"""Webhook endpoints an admin registered, and one delivery per endpoint and published update."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import UUID

from porchlight.dashboard.db import metadata

webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("webhook_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    #: The signing secret (``whsec_`` + base64), shown once when the endpoint is registered.
    sa.Column("secret", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

#: ``pending`` until the endpoint answers 2xx (``delivered``) or the attempts run out (``dead``:
#: the dead letter, kept with its last error until an admin retries it). ``next_attempt_at`` is
#: also the lease of a delivery being sent: a sender that dies mid-send leaves it due again.
webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("delivery_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("webhook_id", UUID(as_uuid=True), nullable=False),
    #: The update (``updates``): the body is built from it when sent, with the public address then.
    sa.Column("update_id", UUID(as_uuid=True), nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("last_status", sa.Integer),
    sa.Column("last_error", sa.Text),
    sa.Column("delivered_at", sa.DateTime(timezone=True)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("webhook_deliveries_due", "next_attempt_at", postgresql_where=sa.text("status = 'pending'")),
)
