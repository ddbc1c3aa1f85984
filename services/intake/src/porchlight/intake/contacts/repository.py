"""All SQL about contacts (Core statements: the insert path is the hot one)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.intake.contacts.models import Contact
from porchlight.intake.meetings.listing import ListQuery, keyset

contacts: sa.Table = Contact.__table__  # type: ignore[assignment]
c = contacts.c

#: The columns a new contact is inserted with (``created_at`` is the database's).
INSERT_COLUMNS = [col for col in contacts.c if col.name != "created_at"]
OUTBOX_COLUMNS = ["event_id", "event_type", "topic", "key", "lane", "headers", "payload"]
_statements: dict[sa.Table, sa.Select[Any]] = {}


def _insert_with_event(outbox: sa.Table) -> sa.Select[Any]:
    """INSERT the contact ON CONFLICT DO NOTHING and, only if it went in, its outbox row.

    One statement, so one round trip for what would be two; built once per outbox table, so
    SQLAlchemy compiles it once and asyncpg prepares it once per connection. The outbox row is
    exactly what ``Outbox.add`` writes (``Outbox.row``), in the same transaction.
    """
    statement = _statements.get(outbox)
    if statement is None:
        created = (
            pg_insert(contacts)
            .values({col.name: sa.bindparam(col.name, type_=col.type) for col in INSERT_COLUMNS})
            .on_conflict_do_nothing()
            .returning(*contacts.c)
            .cte("created")
        )
        event = sa.select(*(sa.bindparam(f"outbox_{n}", type_=outbox.c[n].type) for n in OUTBOX_COLUMNS))
        queued = sa.insert(outbox).from_select(OUTBOX_COLUMNS, event.select_from(created)).cte("queued")
        statement = _statements[outbox] = sa.select(created).add_cte(queued)
    return statement


def _filtered(q: ListQuery, contact_type: str | None) -> sa.Select[Any]:
    """Contacts matching a list query's filters (its ``host`` is the officer)."""
    query = sa.select(contacts)
    for column, wanted in (
        (c.district, q.district),
        (c.neighborhood, q.neighborhood),
        (c.officer_id, q.host),
        (c.contact_type, contact_type),
    ):
        if wanted is not None:
            query = query.where(column == wanted)
    if q.since is not None:
        query = query.where(c.occurred_at >= q.since)
    if q.until is not None:
        query = query.where(c.occurred_at < q.until)
    return query


class ContactRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_with_event(
        self, values: dict[str, Any], outbox: sa.Table, outbox_row: dict[str, Any]
    ) -> Row[Any] | None:
        """Insert unless the id or (officer, idempotency key) exists, with its outbox row.

        Returns the new row, or None (and nothing written) on a conflict. ON CONFLICT DO NOTHING
        waits for a concurrent insert of the same key to commit or roll back, so two identical
        requests at the same instant still create one row and queue one event.
        """
        params = values | {f"outbox_{n}": outbox_row[n] for n in OUTBOX_COLUMNS}
        return (await self.session.execute(_insert_with_event(outbox), params)).first()

    async def conflicting(self, contact_id: uuid.UUID, officer_id: str, key: str | None) -> Sequence[Row[Any]]:
        """The rows an insert collided with: same id, or same officer and idempotency key."""
        match = c.id == contact_id
        if key is not None:
            match = sa.or_(match, sa.and_(c.officer_id == officer_id, c.idempotency_key == key))
        return (await self.session.execute(sa.select(contacts).where(match))).all()

    async def get(self, contact_id: uuid.UUID) -> Row[Any] | None:
        return (await self.session.execute(sa.select(contacts).where(c.id == contact_id))).first()

    async def last_place(self, officer_id: str) -> Row[Any] | None:
        """Where the officer's most recent contact (by when it happened) took place."""
        query = (
            sa.select(c.district, c.neighborhood, c.lat, c.lon, c.place_name)
            .where(c.officer_id == officer_id)
            .order_by(c.occurred_at.desc(), c.id.desc())
            .limit(1)
        )
        return cast("Row[Any] | None", (await self.session.execute(query)).first())

    async def page(self, q: ListQuery, contact_type: str | None = None) -> Sequence[Row[Any]]:
        """Newest first, after ``q.cursor``: up to ``q.limit`` rows, and one more if more follow."""
        query = keyset(_filtered(q, contact_type), c.occurred_at, c.id, q.cursor, q.limit)
        return (await self.session.execute(query)).all()

    async def monthly_totals(self, officer_id: str, start: datetime, end: datetime) -> Sequence[Row[Any]]:
        query = (
            sa.select(
                c.contact_type,
                sa.func.count().label("contacts"),
                sa.func.sum(c.minutes).label("minutes"),
                sa.func.sum(c.residents_reached).label("residents"),
            )
            .where(c.officer_id == officer_id, c.occurred_at >= start, c.occurred_at < end)
            .group_by(c.contact_type)
        )
        return (await self.session.execute(query)).all()
