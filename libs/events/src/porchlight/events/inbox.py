"""Inbox: remember which events a consumer applied, in the same transaction as its effects."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events.envelope import Envelope
from porchlight.events.storage import inbox_table


class Inbox:
    def __init__(self, metadata: sa.MetaData) -> None:
        self.table = inbox_table(metadata)
        name = f'"{self.table.schema}"."{self.table.name}"' if self.table.schema else f'"{self.table.name}"'
        # One statement for a whole batch (one round trip, one cached prepared statement, whatever
        # the batch size). Rows already there, and repeats inside the batch, are skipped.
        self._claim_many = sa.text(
            f"INSERT INTO {name} (consumer, source, event_id, event_type) "
            "SELECT :consumer, u.source, u.event_id, u.event_type "
            "FROM unnest(CAST(:sources AS TEXT[]), CAST(:ids AS TEXT[]), CAST(:types AS TEXT[])) "
            "WITH ORDINALITY AS u(source, event_id, event_type, n) "
            "ORDER BY u.n ON CONFLICT DO NOTHING RETURNING source, event_id"
        ).bindparams(
            sa.bindparam("sources", type_=ARRAY(sa.Text)),
            sa.bindparam("ids", type_=ARRAY(sa.Text)),
            sa.bindparam("types", type_=ARRAY(sa.Text)),
        )

    async def claim(self, session: AsyncSession, consumer: str, env: Envelope) -> bool:
        """Record ``env`` as applied by ``consumer``; False if it already was (skip it)."""
        stmt = (
            insert(self.table)
            .values(consumer=consumer, source=env.source, event_id=env.id, event_type=env.type)
            .on_conflict_do_nothing()
            .returning(self.table.c.event_id)
        )
        return (await session.execute(stmt)).first() is not None

    async def claim_many(self, session: AsyncSession, consumer: str, envs: Sequence[Envelope]) -> set[tuple[str, str]]:
        """Record every envelope as applied by ``consumer`` in one statement.

        Returns the (source, id) pairs that were new: apply those, skip the rest. A pair that
        occurs twice in ``envs`` is returned once; the caller applies its first occurrence only.
        """
        if not envs:
            return set()
        result = await session.execute(
            self._claim_many,
            {
                "consumer": consumer,
                "sources": [e.source for e in envs],
                "ids": [e.id for e in envs],
                "types": [e.type for e in envs],
            },
        )
        return {(row.source, row.event_id) for row in result}
