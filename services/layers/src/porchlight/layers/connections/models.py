"""Connections found, and the city's rules that find them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from porchlight.layers.db import metadata

connections = sa.Table(
    "connections",
    metadata,
    sa.Column("correlation_id", sa.Uuid, primary_key=True),
    sa.Column("rule", sa.Text, nullable=False),
    sa.Column("record_id", sa.Uuid, nullable=False),
    sa.Column("district", sa.Text, nullable=False),
    sa.Column("cell", sa.Text, nullable=False),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("status", sa.Text, nullable=False),  # open | closed
    #: What the supervisor opens: the record, the test's figures, incident ids, note ids, quotes.
    sa.Column("evidence", JSONB, nullable=False),
    sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("closed_at", sa.DateTime(timezone=True)),
    sa.Column("close_reason", sa.Text),
    # One open connection per rule and record, whichever replica found it first.
    sa.Index("connections_open_once", "rule", "record_id", unique=True, postgresql_where=sa.text("status = 'open'")),
    sa.Index("connections_district", "district", "status"),
)

#: The city's rule set (one document: its radius and rules), seeded from the rules file.
connection_rules = sa.Table(
    "connection_rules",
    metadata,
    sa.Column("city", sa.Text, primary_key=True),  # always "city": one rule set per deployment
    sa.Column("document", JSONB, nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("updated_by", sa.Text, nullable=False),
)
