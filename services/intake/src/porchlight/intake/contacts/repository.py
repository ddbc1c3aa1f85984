"""All SQL about contacts (Core statements: the insert path is the hot one)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from porchlight.intake.contacts.models import Contact
from porchlight.intake.meetings.listing import ListQuery, keyset

contacts: sa.Table = Contact.__table__  # type: ignore[assignment]
c = contacts.c

#: The columns a new contact is inserted with (``created_at`` is the database's).
INSERT_COLUMNS = [col for col in contacts.c if col.name != "created_at"]
OUTBOX_COLUMNS = ["event_id", "event_type", "topic", "key", "lane", "headers", "payload"]
_statements: dict[sa.Table, sa.TextualSelect] = {}


def _array_of(column: sa.Column[Any], param: str) -> str:
    """``CAST(:param AS type[])``: a whole column of a group as one array parameter."""
    sql_type = column.type.compile(dialect=postgresql.dialect())
    if sql_type == "JSONB":  # asyncpg sends jsonb[] elements as text: cast each one afterwards
        sql_type = "TEXT"
    return f"CAST(:{param} AS {sql_type}[])"


def _insert_many_with_events(outbox: sa.Table) -> sa.TextualSelect:
    """INSERT a group of contacts ON CONFLICT DO NOTHING and the outbox rows of those that went in.

    One statement over arrays (one parameter per column, whatever the group's size), so
    PostgreSQL and asyncpg prepare it once per connection; built once per outbox table. An
    outbox row is exactly what ``Outbox.add`` writes (``Outbox.row``), joined to its contact by
    id: the contacts of a group must have distinct ids (``ContactWriter`` sees to it).
    """
    statement = _statements.get(outbox)
    if statement is None:
        names = [col.name for col in INSERT_COLUMNS]
        event_arrays = ", ".join(_array_of(outbox.c[n], f"outbox_{n}") for n in OUTBOX_COLUMNS)
        event_values = ", ".join("CAST(e.headers AS jsonb)" if n == "headers" else f"e.{n}" for n in OUTBOX_COLUMNS)
        statement = _statements[outbox] = sa.text(
            f"WITH created AS ("
            f"INSERT INTO {contacts.fullname} ({', '.join(names)}) "
            f"SELECT * FROM unnest({', '.join(_array_of(col, col.name) for col in INSERT_COLUMNS)}) "
            f"ON CONFLICT DO NOTHING RETURNING *), "
            f"queued AS ("
            f"INSERT INTO {outbox.fullname} ({', '.join(OUTBOX_COLUMNS)}) "
            f"SELECT {event_values} FROM unnest(CAST(:outbox_contact AS uuid[]), {event_arrays}) "
            f"AS e(contact, {', '.join(OUTBOX_COLUMNS)}) JOIN created ON created.id = e.contact) "
            f"SELECT * FROM created"
        ).columns(*contacts.c)
    return statement


async def insert_many_with_events(
    conn: AsyncConnection, outbox: sa.Table, group: Sequence[tuple[dict[str, Any], dict[str, Any]]]
) -> Sequence[Row[Any]]:
    """Insert contacts (insert values, outbox row) unless their id or (officer, key) exists.

    Returns the rows that went in; the others wrote nothing. ON CONFLICT DO NOTHING waits for a
    concurrent insert of the same key to commit or roll back, so two identical requests at the
    same instant still create one row and queue one event.
    """
    params: dict[str, Any] = {col.name: [values[col.name] for values, _ in group] for col in INSERT_COLUMNS}
    params["outbox_contact"] = [values["id"] for values, _ in group]
    for name in OUTBOX_COLUMNS:
        params[f"outbox_{name}"] = [event[name] for _, event in group]
    params["outbox_headers"] = [json.dumps(event["headers"]) for _, event in group]
    return (await conn.execute(_insert_many_with_events(outbox), params)).all()


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
