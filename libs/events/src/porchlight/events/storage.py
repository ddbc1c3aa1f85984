"""The outbox and inbox tables every service keeps in its own schema.

* ``outbox``: events written in the same transaction as the change that caused them; the relay
  publishes and deletes them. ``lane`` is a hash of the Kafka key: a relay replica claims whole
  lanes (``outbox_lane`` rows, FOR UPDATE SKIP LOCKED), so replicas run side by side and events
  of one key are still published in the order they were written.
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
    """The LISTEN/NOTIFY channel a service's relay waits on."""
    return f"porchlight_outbox_{schema}"


def messaging_ddl(schema: str) -> list[str]:
    """Statements a service's first migration runs after creating the tables above.

    Seeds the lanes and installs a statement-level trigger that NOTIFYs the relay when rows
    arrive (PostgreSQL delivers it on commit and folds duplicates within a transaction).
    """
    channel = notify_channel(schema)
    return [
        f"INSERT INTO {schema}.outbox_lane (lane) SELECT generate_series(0, {OUTBOX_LANES - 1})",
        f"""CREATE OR REPLACE FUNCTION {schema}.outbox_notify() RETURNS trigger
            LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('{channel}', ''); RETURN NULL; END $$""",
        f"""CREATE TRIGGER outbox_notify AFTER INSERT ON {schema}.outbox
            FOR EACH STATEMENT EXECUTE FUNCTION {schema}.outbox_notify()""",
    ]
