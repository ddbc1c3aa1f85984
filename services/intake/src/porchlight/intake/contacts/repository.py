"""All SQL about contacts (Core statements: the insert path is the hot one)."""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from porchlight.events import Outbox
from porchlight.intake.contacts.models import Contact
from porchlight.intake.meetings.access import ListQuery
from porchlight.kit.db import driver_connection
from porchlight.kit.groupcommit import GroupCommit
from porchlight.kit.paging import keyset

contacts: sa.Table = Contact.__table__  # type: ignore[assignment]
c = contacts.c

#: The columns a new contact is inserted with (``created_at`` is the database's).
INSERT_COLUMNS = [col for col in contacts.c if col.name != "created_at"]
OUTBOX_COLUMNS = ["event_id", "event_type", "topic", "key", "lane", "headers", "payload"]


class StoredContact(NamedTuple):
    """A contact as the group insert returns it: the columns of ``contacts``, in order."""

    id: uuid.UUID
    officer_id: str
    unit: str | None
    contact_type: str
    minutes: int
    residents_reached: int
    occurred_at: datetime
    district: str
    neighborhood: str | None
    lat: float | None
    lon: float | None
    place_name: str | None
    place_source: str
    note: str | None
    idempotency_key: str | None
    fingerprint: str
    created_at: datetime


# A column added to the model must be added above (the insert returns the columns by position).
if StoredContact._fields != tuple(contacts.c.keys()):
    raise RuntimeError("StoredContact is out of step with the contacts table")


def _array_of(column: sa.Column[Any], position: int) -> str:
    """``$n::type[]``: a whole column of a group as one array parameter."""
    sql_type = column.type.compile(dialect=postgresql.dialect())
    if sql_type == "JSONB":  # sent as text, cast element by element in the statement
        sql_type = "TEXT"
    return f"${position}::{sql_type}[]"


@functools.cache
def _insert_many_sql(outbox: sa.Table) -> str:
    """INSERT a group of contacts ON CONFLICT DO NOTHING and the outbox rows of those that went in.

    One statement over arrays (one parameter per column, whatever the group's size), so
    PostgreSQL and asyncpg prepare it once per connection. Its parameters, in order: the
    INSERT_COLUMNS, the contact id of each outbox row, the OUTBOX_COLUMNS. An outbox row is
    exactly what ``Outbox.add`` writes (``Outbox.row``), joined to its contact by id: the
    contacts of a group must have distinct ids (``ContactWriter`` sees to it).
    """
    n = len(INSERT_COLUMNS)
    contact_arrays = ", ".join(_array_of(col, i) for i, col in enumerate(INSERT_COLUMNS, 1))
    event_arrays = ", ".join(_array_of(outbox.c[name], i) for i, name in enumerate(OUTBOX_COLUMNS, n + 2))
    event_values = ", ".join("e.headers::jsonb" if name == "headers" else f"e.{name}" for name in OUTBOX_COLUMNS)
    return (
        f"WITH created AS ("
        f"INSERT INTO {contacts.fullname} ({', '.join(col.name for col in INSERT_COLUMNS)}) "
        f"SELECT * FROM unnest({contact_arrays}) "
        f"ON CONFLICT DO NOTHING RETURNING {', '.join(col.name for col in contacts.c)}), "
        f"queued AS ("
        f"INSERT INTO {outbox.fullname} ({', '.join(OUTBOX_COLUMNS)}) "
        f"SELECT {event_values} FROM unnest(${n + 1}::uuid[], {event_arrays}) "
        f"AS e(contact, {', '.join(OUTBOX_COLUMNS)}) JOIN created ON created.id = e.contact) "
        f"SELECT * FROM created"
    )


async def insert_many_with_events(
    driver: asyncpg.Connection, outbox: sa.Table, group: Sequence[tuple[dict[str, Any], dict[str, Any]]]
) -> list[StoredContact]:
    """Insert contacts (insert values, outbox row) unless their id or (officer, key) exists.

    Returns the rows that went in; the others wrote nothing. ``driver`` is asyncpg's connection
    (``ContactWriter`` takes it from the engine's pool): on the hot path SQLAlchemy's handling
    of two dozen array parameters cost more than the statement. Outside a transaction the
    statement is one of its own: atomic, one round trip. ON CONFLICT DO NOTHING waits for a
    concurrent insert of the same key to commit or roll back, so two identical requests at the
    same instant still create one row and queue one event.
    """
    args: list[list[Any]] = [[values[col.name] for values, _ in group] for col in INSERT_COLUMNS]
    args.append([values["id"] for values, _ in group])
    for name in OUTBOX_COLUMNS:
        if name == "headers":
            args.append([json.dumps(event[name]) for _, event in group])
        else:
            args.append([event[name] for _, event in group])
    records = await driver.fetch(_insert_many_sql(outbox), *args)
    return [StoredContact(*record) for record in records]


async def last_place(driver: asyncpg.Connection, officer_id: str) -> asyncpg.Record | None:
    """Where the officer's most recent contact (by when it happened) took place.

    On the contacts' hot path (a contact without a place), so by asyncpg directly: through an
    ORM session this one read cost as much CPU as the rest of such a request.
    """
    return await driver.fetchrow(_LAST_PLACE_SQL, officer_id)


# ix_contacts_officer_occurred answers it with one index probe.
_LAST_PLACE_SQL = (
    f"SELECT district, neighborhood, lat, lon, place_name FROM {contacts.fullname} "
    "WHERE officer_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT 1"
)


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


# Contacts are written in groups: the requests of a moment share one INSERT and one commit.
#
# Officers' phones send contacts in bursts (a shift ends, a phone comes back online); each one
# written in its own transaction cost more CPU than the rest of the request and a commit each
# (docs/benchmarks.md, "Intake: contacts"). ``ContactWriter`` hands them to a ``GroupCommit``:
# one statement inserts the group's contacts and the ``contact.logged`` outbox rows of those that
# went in, one commit makes them durable, then each request gets its own row back (or None: its
# id or Idempotency-Key was taken, and the route answers from the stored row).

#: A contact's insert values and its outbox row.
Write = tuple[dict[str, Any], dict[str, Any]]


class ContactWriter:
    """Contacts written in groups: one INSERT and one commit for the requests of a moment."""

    def __init__(self, engine: AsyncEngine, outbox: Outbox) -> None:
        self.engine, self.outbox = engine, outbox
        self._group: GroupCommit[Write, StoredContact | None] = GroupCommit(self._write, name="intake-contacts")

    async def insert(self, values: dict[str, Any], outbox_row: dict[str, Any]) -> StoredContact | None:
        """The new row once committed, or None when the id or (officer, key) existed already."""
        return await self._group.submit((values, outbox_row))

    async def _write(self, group: Sequence[Write]) -> list[StoredContact | None]:
        # Within a group, the first of two contacts with the same id or the same (officer,
        # Idempotency-Key) is the one inserted; the other gets None and, once this group has
        # committed, the route finds the first one's row (a resend answered as a resend).
        ids: set[Any] = set()
        keys: set[tuple[str, str]] = set()
        inserted: list[Write] = []
        for values, event in group:
            key = (values["officer_id"], values["idempotency_key"])
            if values["id"] in ids or (values["idempotency_key"] is not None and key in keys):
                continue
            ids.add(values["id"])
            keys.add(key)
            inserted.append((values, event))
        # The group's one statement is atomic on its own: no BEGIN and COMMIT around it.
        async with driver_connection(self.engine) as driver:
            rows = await insert_many_with_events(driver, self.outbox.table, inserted)
        if rows:
            self.outbox.wake()
        by_id = {row.id: row for row in rows}
        taken: set[Any] = set()
        results: list[StoredContact | None] = []
        for values, _ in group:
            row = by_id.get(values["id"]) if values["id"] not in taken else None
            if row is not None:
                taken.add(values["id"])  # a second contact with this id was left out above
            results.append(row)
        return results
