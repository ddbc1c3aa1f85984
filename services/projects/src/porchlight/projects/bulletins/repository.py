"""All SQL about bulletins."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.paging import Cursor, keyset
from porchlight.projects.bulletins.models import Bulletin


class BulletinRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, bulletin: Bulletin) -> None:
        self.session.add(bulletin)
        await self.session.flush()

    async def page(self, district: str | None, cursor: Cursor | None, limit: int) -> Sequence[Bulletin]:
        """Newest first, one row more than ``limit`` when more follow."""
        query = sa.select(Bulletin)
        if district is not None:
            query = query.where(Bulletin.district == district)
        return (await self.session.scalars(keyset(query, Bulletin.published_at, Bulletin.id, cursor, limit))).all()
