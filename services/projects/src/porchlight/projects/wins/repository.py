"""All SQL about wins — and the notice of a changed win for the open boards.

A win's change is announced on the boards' channel (work/repository.py) inside the transaction
that makes it, as a card's is: PostgreSQL sends it on commit, to every replica's board hub, so a
supervisor's open board shows a new draft at once (board/routes.py: the stream's ``win`` events).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.paging import Cursor, keyset
from porchlight.projects.wins.models import Win
from porchlight.projects.work.repository import CARD_CHANNEL


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
        department: str | None = None,
    ) -> Sequence[Win]:
        """Newest draft first, one row more than ``limit`` when more follow."""
        stmt = sa.select(Win)
        if department:
            stmt = stmt.where(Win.department == department)
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

    async def announce(self, notice: str) -> None:
        """Queue a win's notice for the boards; PostgreSQL sends it when the transaction commits."""
        await self.session.execute(sa.select(sa.func.pg_notify(CARD_CHANNEL, notice)))
