"""All SQL about wins."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.paging import Cursor, keyset
from porchlight.projects.wins.models import Win


class WinRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, win_id: uuid.UUID, *, lock: bool = False) -> Win | None:
        return await self.session.get(Win, win_id, with_for_update=lock or None)

    async def of_project(self, project_id: uuid.UUID) -> Win | None:
        return await self.session.scalar(sa.select(Win).where(Win.project_id == project_id))

    async def page(
        self,
        status: str | None,
        district: str | None,
        priority: uuid.UUID | None,
        cursor: Cursor | None,
        limit: int,
    ) -> Sequence[Win]:
        """Newest draft first, one row more than ``limit`` when more follow."""
        stmt = sa.select(Win)
        if status:
            stmt = stmt.where(Win.status == status)
        if district:
            stmt = stmt.where(Win.district == district)
        if priority:
            stmt = stmt.where(Win.priority_id == priority)
        return (await self.session.scalars(keyset(stmt, Win.drafted_at, Win.id, cursor, limit))).all()

    async def add(self, win: Win) -> None:
        self.session.add(win)
        await self.session.flush()

    async def flush(self) -> None:
        await self.session.flush()
