"""All SQL about priorities."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.paging import Cursor, keyset
from porchlight.projects.priorities.models import Priority


class PriorityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, priority_id: uuid.UUID, *, lock: bool = False) -> Priority | None:
        return await self.session.get(Priority, priority_id, with_for_update=lock or None)

    async def page(
        self, district: str | None, quarter: str | None, cursor: Cursor | None, limit: int
    ) -> Sequence[Priority]:
        """Newest first, one row more than ``limit`` when more follow."""
        stmt = sa.select(Priority)
        if district:
            stmt = stmt.where(Priority.district == district)
        if quarter:
            stmt = stmt.where(Priority.quarter == quarter)
        return (await self.session.scalars(keyset(stmt, Priority.created_at, Priority.id, cursor, limit))).all()

    async def find(self, district: str, title: str, quarter: str) -> uuid.UUID | None:
        """The id of the district's priority of that title in that quarter, if any."""
        stmt = sa.select(Priority.id).where(
            Priority.district == district, Priority.title == title, Priority.quarter == quarter
        )
        return await self.session.scalar(stmt)

    async def add(self, priority: Priority) -> None:
        self.session.add(priority)
        await self.session.flush()
