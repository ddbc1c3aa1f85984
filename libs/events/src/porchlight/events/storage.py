"""The outbox and inbox tables every service keeps in its own schema.

* ``outbox``: events written in the same transaction as the change that caused them; the relay
  publishes them and moves them to ``outbox_published``, kept to republish to a broker that lost
  them (``outbox_broker`` says which broker has them all: docs/adr/0015). ``lane`` is a hash of
  the Kafka key: a relay replica claims whole lanes (``outbox_lane`` rows, FOR UPDATE SKIP
  LOCKED), so replicas run side by side and events of one key are still published in the order
  they were written.
* ``inbox``: (consumer, source, event id) of every event a consumer applied, written in the same
  transaction as the handler's effects, so a redelivered event changes nothing.
"""

from __future__ import annotations

import zlib

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

OUTBOX_LANES = 16


def lane_of(key: str | None) -> int:
    """The outbox lane of a Kafka key (stable across processes, unlike hash())."""
    return zlib.crc32((key or "").encode()) % OUTBOX_LANES


def outbox_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "outbox",
        metadata,
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("event_id", sa.Uuid, nullable=False, unique=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("key", sa.Text),
        sa.Column("lane", sa.SmallInteger, nullable=False),
        sa.Column("headers", JSONB, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Index("ix_outbox_lane_id", "lane", "id"),
    )


def outbox_published_table(metadata: sa.MetaData) -> sa.Table:
    """What the relay published, in the order it was written (docs/adr/0015): a broker that
    comes back empty (the embedded one keeps its topics in memory) gets all of it again."""
    return sa.Table(
        "outbox_published",
        metadata,
        # The outbox row's id: republishing in id order keeps each key's order.
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.Uuid, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("topic", sa.Text, nullable=False),
        sa.Column("key", sa.Text),
        sa.Column("headers", JSONB, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )


def outbox_broker_table(metadata: sa.MetaData) -> sa.Table:
    """One row: the cluster id of the broker that holds everything in ``outbox_published``."""
    return sa.Table(
        "outbox_broker",
        metadata,
        sa.Column("id", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("cluster_id", sa.Text, nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )


def outbox_lane_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table("outbox_lane", metadata, sa.Column("lane", sa.SmallInteger, primary_key=True))


def inbox_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        "inbox",
        metadata,
        sa.Column("consumer", sa.Text, primary_key=True),
        # CloudEvents ids are unique per source, so both make the key.
        sa.Column("source", sa.Text, primary_key=True),
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )


def notify_channel(schema: str) -> str:
    """The LISTEN/NOTIFY channel relays used to wait on (kept for old callers; nothing NOTIFYs now)."""
    return f"porchlight_outbox_{schema}"


def messaging_ddl(schema: str) -> list[str]:
    """Statements a service's first migration runs after creating the tables above: the lanes.

    There is no NOTIFY trigger any more (docs/adr/0008-outbox-wake-up-in-process.md): relays are
    woken in process after a commit and poll for the rest. ``messaging_upgrade_ddl`` removes the
    trigger from databases created before.
    """
    return [f"INSERT INTO {schema}.outbox_lane (lane) SELECT generate_series(0, {OUTBOX_LANES - 1})"]


def messaging_upgrade_ddl(schema: str) -> list[str]:
    """Idempotent statements that bring a service's messaging tables to the current shape.

    Drops the statement-level ``outbox_notify`` trigger earlier versions installed: its
    ``pg_notify`` makes PostgreSQL take a database-wide lock at every commit that wrote an
    outbox row, so those commits ran one at a time.
    """
    return [
        f"DROP TRIGGER IF EXISTS outbox_notify ON {schema}.outbox",
        f"DROP FUNCTION IF EXISTS {schema}.outbox_notify()",
    ]
