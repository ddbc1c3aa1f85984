"""All SQL about meetings."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.intake.meetings.access import ListQuery
from porchlight.intake.meetings.models import Meeting
from porchlight.kit.paging import keyset


class MeetingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def insert_new(self, values: dict[str, Any]) -> Meeting | None:
        """Insert unless the id is taken (then None): two racing retries cannot both insert."""
        inserted = await self.session.scalar(
            insert(Meeting).values(**values).on_conflict_do_nothing(index_elements=[Meeting.id]).returning(Meeting.id)
        )
        return None if inserted is None else await self.get(inserted)

    async def get(self, meeting_id: uuid.UUID, *, for_update: bool = False) -> Meeting | None:
        query = sa.select(Meeting).where(Meeting.id == meeting_id).execution_options(populate_existing=True)
        if for_update:
            query = query.with_for_update()
        return await self.session.scalar(query)

    async def page(self, q: ListQuery) -> Sequence[Meeting]:
        """One page of meetings (newest start first), plus one row if more follow."""
        query = sa.select(Meeting)
        for column, value in (
            (Meeting.district, q.district),
            (Meeting.neighborhood, q.neighborhood),
            (Meeting.host_id, q.host),
        ):
            if value is not None:
                query = query.where(column == value)
        if q.since is not None:
            query = query.where(Meeting.starts_at >= q.since)
        if q.until is not None:
            query = query.where(Meeting.starts_at < q.until)
        return (await self.session.scalars(keyset(query, Meeting.starts_at, Meeting.id, q.cursor, q.limit))).all()
