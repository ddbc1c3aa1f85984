"""All SQL about departments and co-response teams."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.projects.departments.models import Department, Team


class DepartmentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def department(self, code: str) -> Department | None:
        return await self.session.get(Department, code)

    async def team(self, code: str) -> Team | None:
        return await self.session.get(Team, code)

    async def departments(self) -> list[Department]:
        return list(await self.session.scalars(sa.select(Department).order_by(Department.code)))

    async def teams(self) -> list[Team]:
        return list(await self.session.scalars(sa.select(Team).order_by(Team.code)))

    async def add(self, row: Department | Team) -> None:
        self.session.add(row)
        await self.session.flush()
