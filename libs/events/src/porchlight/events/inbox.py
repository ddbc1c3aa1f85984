"""Inbox: remember which events a consumer applied, in the same transaction as its effects."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events.envelope import Envelope
from porchlight.events.storage import inbox_table


class Inbox:
    def __init__(self, metadata: sa.MetaData) -> None:
        self.table = inbox_table(metadata)

    async def claim(self, session: AsyncSession, consumer: str, env: Envelope) -> bool:
        """Record ``env`` as applied by ``consumer``; False if it already was (skip it)."""
        stmt = (
            insert(self.table)
            .values(consumer=consumer, source=env.source, event_id=env.id, event_type=env.type)
            .on_conflict_do_nothing()
            .returning(self.table.c.event_id)
        )
        return (await session.execute(stmt)).first() is not None
