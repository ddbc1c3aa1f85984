"""Database engine, sessions and the unit of work.

One request or one consumed event is one transaction: services ``flush()``, only the boundary
(the request dependency in app.py, the consumer runner) commits.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

#: A pooled connection idle longer than this is pinged before use (see ``_ping_when_idle``).
IDLE_PING_S = 10.0
#: Connections are replaced after this long, before firewalls and proxies drop them quietly.
POOL_RECYCLE_S = 1800


def create_engine(
    url: str, *, pool_size: int = 10, application_name: str = "porchlight", idle_ping_s: float = IDLE_PING_S
) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        # No pool_pre_ping: it is a round trip on every checkout, a sixth of a contact's CPU
        # (docs/benchmarks.md). Stale connections are handled by pinging only the ones that sat
        # idle (a busy pool reuses connections within milliseconds) and by recycling old ones.
        pool_recycle=POOL_RECYCLE_S,
        # Statement parameters are residents' words: keep them out of error texts, hence logs.
        hide_parameters=True,
        connect_args={"server_settings": {"application_name": application_name}},
        # JSON columns through orjson, several times faster than json (every record and event
        # goes through them). Non-str keys become strings, as json.dumps makes them.
        json_serializer=_json_text,
        json_deserializer=orjson.loads,
    )
    _ping_when_idle(engine, idle_ping_s)
    return engine


def _json_text(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _ping_when_idle(engine: AsyncEngine, idle_s: float) -> None:
    """Ping a connection at checkout only when it was idle more than ``idle_s``.

    A dead one (database restarted, connection cut) raises ``DisconnectionError``: the pool
    drops it and checks out another, as ``pool_pre_ping`` would, so the request does not fail.
    """
    pool, dialect = engine.sync_engine.pool, engine.sync_engine.dialect

    @event.listens_for(pool, "checkin")
    def _checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info["porchlight_idle_since"] = time.monotonic()

    @event.listens_for(pool, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get("porchlight_idle_since")
        if since is None or time.monotonic() - since < idle_s:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception:
            alive = False
        if not alive:
            raise sa.exc.DisconnectionError("pooled connection is gone")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: objects stay readable after the boundary commits (responses).
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session in a transaction: committed if the block succeeds, rolled back otherwise."""
    async with sessions() as session, session.begin():
        yield session


def asyncpg_dsn(url: str) -> str:
    """The plain libpq-style DSN asyncpg wants, from a SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@asynccontextmanager
async def driver_connection(engine: AsyncEngine) -> AsyncIterator[asyncpg.Connection]:
    """One of the engine's pooled connections, for asyncpg directly.

    For a hot path's fixed statements, where SQLAlchemy's handling of the statement and its
    parameters cost more than the statement itself (docs/benchmarks.md, "Intake: contacts").
    Outside a transaction each statement is one of its own (atomic, one round trip); the
    connection goes back to the pool, and a dead one is thrown away rather than handed out
    again.
    """
    async with engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        assert driver is not None  # checked out: an asyncpg connection
        try:
            yield driver
        except BaseException:
            if driver.is_closed():
                await conn.invalidate()
            raise


async def ping(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        await conn.execute(sa.text("SELECT 1"))


def upsert(
    table: sa.Table,
    rows: dict[str, Any] | Sequence[dict[str, Any]],
    *,
    key: Sequence[str],
    add: Sequence[str] = (),
    only: Sequence[str] | None = None,
    where: Callable[[sa.Table, Any], sa.ColumnElement[bool]] | None = None,
) -> Any:
    """``INSERT ... ON CONFLICT (key) DO UPDATE``: the one upsert the read models need.

    Columns in ``add`` are summed with what is stored (counters); the other columns of the rows
    (or only those in ``only``) are replaced by the new value. ``where(table, excluded)`` keeps
    the stored row when false (e.g. only a newer ``updated_at`` wins). Returns the statement, to
    ``session.execute``.
    """
    values = [rows] if isinstance(rows, dict) else list(rows)
    stmt = pg_insert(table).values(values)
    excluded = stmt.excluded
    changed = [name for name in values[0] if name not in key and (only is None or name in only or name in add)]
    set_: dict[str, Any] = {
        name: (table.c[name] + excluded[name]) if name in add else excluded[name] for name in changed
    }
    return stmt.on_conflict_do_update(
        index_elements=[table.c[k] for k in key],
        set_=set_,
        where=where(table, excluded) if where is not None else None,
    )
