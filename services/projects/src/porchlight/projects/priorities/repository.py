"""All SQL about priorities."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.projects.priorities.models import Priority


class PriorityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def list_for(self, district: str | None, quarter: str | None = None) -> list[Priority]:
        stmt = sa.select(Priority).order_by(Priority.created_at.desc())
        if district:
            stmt = stmt.where(Priority.district == district)
        if quarter:
            stmt = stmt.where(Priority.quarter == quarter)
        return list(await self.session.scalars(stmt))
