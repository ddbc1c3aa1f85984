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
