"""Contacts are written in groups: the requests of a moment share one INSERT and one commit.

Officers' phones send contacts in bursts (a shift ends, a phone comes back online); each one
written in its own transaction cost more CPU than the rest of the request and a commit each
(docs/benchmarks.md, "Intake: contacts"). ``ContactWriter`` hands them to a ``GroupCommit``:
one statement inserts the group's contacts and the ``contact.logged`` outbox rows of those that
went in, one commit makes them durable, then each request gets its own row back (or None: its
id or Idempotency-Key was taken, and the route answers from the stored row).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from porchlight.events import Outbox
from porchlight.intake.contacts.repository import StoredContact, insert_many_with_events
from porchlight.kit.db import driver_connection
from porchlight.kit.groupcommit import GroupCommit

#: A contact's insert values and its outbox row.
Write = tuple[dict[str, Any], dict[str, Any]]


class ContactWriter:
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
