"""Alembic migrations, one history per service, each in the service's own schema.

A service's ``migrations/env.py`` is three lines calling ``run_env``; ``migrate`` runs them
programmatically over the async engine (the cookbook's "connection in config.attributes").
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from porchlight.events.keyring import ensure_keyring
from porchlight.kit.service import ServiceSpec


def alembic_config(spec: ServiceSpec) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(spec.migrations_dir))
    cfg.attributes["schema"] = spec.schema
    cfg.attributes["metadata"] = spec.metadata
    return cfg


def run_env() -> None:
    """Body of every service's migrations/env.py (online mode only)."""
    cfg = context.config
    connection: Connection = cfg.attributes["connection"]
    schema: str = cfg.attributes["schema"]
    context.configure(
        connection=connection,
        target_metadata=cfg.attributes["metadata"],
        version_table_schema=schema,
        include_schemas=False,
    )
    with context.begin_transaction():
        context.run_migrations()


async def migrate(engine: AsyncEngine, spec: ServiceSpec, revision: str = "heads") -> None:
    """Create the service's schema if needed and upgrade it to ``revision``.

    "heads": a service's capabilities may add migrations as independent branches from its
    first revision; every branch is applied (merge revisions tie them together when needed).
    """

    def _upgrade(conn: Connection) -> None:
        # One service at a time per database: migrations of replicas starting together wait.
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:n))"), {"n": f"migrate:{spec.name}"})
        conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{spec.schema}"'))
        cfg = alembic_config(spec)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        if _has_notify_trigger(conn, spec.schema):
            upgrade_messaging_tables(conn, spec.schema)
        ensure_outbox_archive(conn, spec.schema)
        # The keyring every service seals and opens residents' words with (docs/adr/0014).
        ensure_keyring(conn)

    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)


def create_messaging_tables(bind: Connection, schema: str) -> None:
    """Create the outbox, its lanes and the inbox in ``schema`` (a service's first migration)."""
    from porchlight.events.storage import inbox_table, messaging_ddl, outbox_lane_table, outbox_table

    md = sa.MetaData(schema=schema)
    for table in (outbox_table(md), outbox_lane_table(md), inbox_table(md)):
        table.create(bind)
    for statement in messaging_ddl(schema):
        bind.execute(sa.text(statement))


def ensure_outbox_archive(bind: Connection, schema: str) -> None:
    """Create the outbox's archive and broker tables if missing (docs/adr/0015; idempotent)."""
    from porchlight.events.storage import outbox_broker_table, outbox_published_table

    md = sa.MetaData(schema=schema)
    for table in (outbox_published_table(md), outbox_broker_table(md)):
        table.create(bind, checkfirst=True)


def upgrade_messaging_tables(bind: Connection, schema: str) -> None:
    """Bring the messaging tables of ``schema`` to the current shape (idempotent).

    The kit owns these tables' DDL, so ``migrate`` runs this after every service's Alembic
    history: a database created by an older version loses the outbox's NOTIFY trigger
    (docs/adr/0008-outbox-wake-up-in-process.md) without a revision in each service. A service
    may also call it from a revision of its own; running it twice changes nothing.
    """
    from porchlight.events.storage import messaging_upgrade_ddl

    for statement in messaging_upgrade_ddl(schema):
        bind.execute(sa.text(statement))


def _has_notify_trigger(bind: Connection, schema: str) -> bool:
    """Checked first: DROP TRIGGER locks the outbox exclusively even when there is none to drop,
    and replicas already running would wait for a rolling deploy's migrate."""
    query = sa.text(
        "SELECT EXISTS (SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = :s AND c.relname = 'outbox' AND t.tgname = 'outbox_notify')"
    )
    return bool(bind.execute(query, {"s": schema}).scalar())
