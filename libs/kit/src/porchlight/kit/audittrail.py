"""The audit trail's storage: one append-only ``audit`` table per audited service, in its schema.

* **Append-only in the database too**: triggers refuse UPDATE, DELETE and TRUNCATE, so a bug or
  a stolen service login cannot rewrite history quietly; only the table's owner can switch
  the triggers off, and that breaks the hash chain (``kit.audit``) where it shows.
* **One chain under concurrency**: appends take a transaction-scoped advisory lock per schema,
  read the head and insert after it. Replicas of a service share the lock; ``seq`` is the
  primary key, so two appends after the same head could not both commit anyway.
* **Cheap**: appends are grouped (``kit.groupcommit``): concurrent requests share one lock,
  one multi-row insert and one commit.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from porchlight.kit.audit import GENESIS, Entry, Stored, Verification, Verifier, chain
from porchlight.kit.db import driver_connection
from porchlight.kit.groupcommit import GroupCommit

TABLE = "audit"


_COLUMNS = (
    "seq, at, actor, actor_kind, roles, actor_district, department, action, route, status, districts, ids, "
    "filters, prev_hash, hash"
)


def audit_table(metadata: sa.MetaData) -> sa.Table:
    return sa.Table(
        TABLE,
        metadata,
        sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("actor_kind", sa.Text, nullable=False),
        sa.Column("roles", ARRAY(sa.Text), nullable=False),
        sa.Column("actor_district", sa.Text),
        sa.Column("department", sa.Text),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("route", sa.Text, nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("districts", ARRAY(sa.Text), nullable=False),
        sa.Column("ids", JSONB, nullable=False),
        sa.Column("filters", JSONB, nullable=False),
        sa.Column("prev_hash", sa.Text, nullable=False),
        sa.Column("hash", sa.Text, nullable=False, unique=True),
        sa.Index("ix_audit_at", "at"),
        sa.Index("ix_audit_districts", "districts", postgresql_using="gin"),
    )


def append_only_ddl(schema: str) -> list[str]:
    fn = f'"{schema}".audit_refuse_change'
    return [
        f"""CREATE OR REPLACE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit trail is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END $$""",
        f'CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON "{schema}".{TABLE} '
        f"FOR EACH ROW EXECUTE FUNCTION {fn}()",
        f'CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON "{schema}".{TABLE} '
        f"FOR EACH STATEMENT EXECUTE FUNCTION {fn}()",
    ]


def create_audit_table(bind: Connection, schema: str) -> None:
    """Create ``<schema>.audit`` and its append-only triggers (from a service's migration)."""
    audit_table(sa.MetaData(schema=schema)).create(bind)
    for statement in append_only_ddl(schema):
        bind.execute(sa.text(statement))


def entry_of(row: Any) -> Entry:
    return Entry(
        at=row.at,
        actor=row.actor,
        actor_kind=row.actor_kind,
        roles=tuple(row.roles),
        actor_district=row.actor_district,
        department=row.department,
        action=row.action,
        route=row.route,
        status=row.status,
        districts=tuple(row.districts),
        ids=row.ids,
        filters=row.filters,
    )


@dataclass(frozen=True)
class Query:
    """An auditor's question: who did what, to which district, when (every part optional)."""

    actor: str | None = None
    action: str | None = None
    district: str | None = None
    route: str | None = None
    start: datetime | None = None
    end: datetime | None = None


class AuditTrail:
    """A service's audit table: appends (grouped), the auditor's queries and verification."""

    def __init__(self, engine: AsyncEngine, schema: str) -> None:
        self.engine, self.schema = engine, schema
        self.table = audit_table(sa.MetaData(schema=schema))
        self._lock_key = f"audit:{schema}"
        self._group: GroupCommit[Entry, int] = GroupCommit(self._write, name=f"audit:{schema}")
        self._insert = (
            f'INSERT INTO "{schema}".{TABLE} ({_COLUMNS}) SELECT {_COLUMNS} FROM jsonb_to_recordset($1::jsonb) '
            "AS r(seq bigint, at timestamptz, actor text, actor_kind text, roles text[], actor_district text, "
            "department text, action text, route text, status int, districts text[], ids jsonb, filters jsonb, "
            "prev_hash text, hash text)"
        )

    async def record(self, entry: Entry) -> int:
        """Append ``entry`` with whatever else is queued; its ``seq`` once committed."""
        return await self._group.submit(entry)

    async def _write(self, entries: Sequence[Entry]) -> list[int]:
        # asyncpg directly, one JSON parameter for the group: this runs on every audited request,
        # the hottest route's too (docs/benchmarks.md, "Audit trail"), as contacts' own writes do.
        async with driver_connection(self.engine) as conn, conn.transaction():
            # The lock first, then the head in a statement of its own: under READ COMMITTED each
            # statement sees what committed before it began, so the head read after the lock is
            # the last one any replica appended.
            await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", self._lock_key)
            head = await conn.fetchrow(f'SELECT seq, hash FROM "{self.schema}".{TABLE} ORDER BY seq DESC LIMIT 1')
            stored = chain(head["seq"] if head else 0, head["hash"] if head else GENESIS, entries)
            rows = [{**s.fields, "prev_hash": s.prev_hash, "hash": s.hash} for s in stored]
            await conn.execute(self._insert, orjson.dumps(rows).decode())
        return [s.seq for s in stored]

    def _where(self, q: Query) -> list[sa.ColumnElement[bool]]:
        t, where = self.table, []
        if q.actor:
            where.append(t.c.actor == q.actor)
        if q.action:
            where.append(t.c.action == q.action)
        if q.district:
            where.append(t.c.districts.any_() == q.district)
        if q.route:
            where.append(t.c.route.contains(q.route, autoescape=True))
        if q.start:
            where.append(t.c.at >= q.start)
        if q.end:
            where.append(t.c.at < q.end)
        return where

    async def page(self, q: Query, *, before: int | None, limit: int) -> list[Any]:
        """Entries matching ``q``, newest first, ``limit`` + 1 to tell whether there is more."""
        t = self.table
        stmt = sa.select(t).where(*self._where(q)).order_by(t.c.seq.desc()).limit(limit + 1)
        if before is not None:
            stmt = stmt.where(t.c.seq < before)
        async with self.engine.connect() as conn:
            return list((await conn.execute(stmt)).all())

    async def stream(self, q: Query, batch: int = 1000) -> AsyncIterator[Any]:
        """Every entry matching ``q``, oldest first, in one snapshot."""
        t = self.table
        stmt = sa.select(t).where(*self._where(q)).order_by(t.c.seq)
        async with self.engine.connect() as conn:
            await conn.execution_options(isolation_level="REPEATABLE READ")
            result = await conn.stream(stmt.execution_options(yield_per=batch))
            async for row in result:
                yield row

    async def verify(self) -> Verification:
        """Walk the whole chain; the first entry that breaks it, if any."""
        v = Verifier()
        async for row in self.stream(Query()):
            entry = entry_of(row)
            if not v.feed(Stored(row.seq, entry.fields(row.seq), row.prev_hash, row.hash)):
                break
        return v.result()


async def verify_service(database_url: str, schema: str, *, actor: str, command: str) -> Verification:
    """``porchlight audit verify``: walk a service's chain, and record that it was checked, by whom."""
    from datetime import UTC

    from porchlight.kit.db import create_engine

    engine = create_engine(database_url, pool_size=1, application_name="porchlight-audit-verify")
    try:
        trail = AuditTrail(engine, schema)
        result = await trail.verify()
        entry = Entry(
            at=datetime.now(UTC),
            actor=actor,
            actor_kind="command",
            action="read",
            route=command,
            status=0 if result.intact else 1,  # the command's exit code
        )
        await trail.record(entry)
        return result
    finally:
        await engine.dispose()
