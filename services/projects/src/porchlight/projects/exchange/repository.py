"""All SQL of the exchange formats: the projects an export or a calendar holds."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.projects.departments.models import Team
from porchlight.projects.work.models import Project


class ExchangeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def projects(
        self, priority: uuid.UUID | None, district: str | None, department: str | None
    ) -> Sequence[Project]:
        """The projects an export holds, by priority, due date and id."""
        stmt = sa.select(Project).order_by(Project.priority_id, Project.due_on, Project.id)
        if priority:
            stmt = stmt.where(Project.priority_id == priority)
        if district:
            stmt = stmt.where(Project.district == district)
        if department:
            stmt = stmt.where(Project.department == department)
        return (await self.session.scalars(stmt)).all()

    async def projects_owned_by(self, department: str) -> Sequence[Project]:
        """The department's projects and its teams' projects, by due date."""
        teams = sa.select(Team.code).where(Team.departments.contains([department]))
        stmt = (
            sa.select(Project)
            .where(sa.or_(Project.department == department, Project.team.in_(teams)))
            .order_by(Project.due_on, Project.id)
        )
        return (await self.session.scalars(stmt)).all()
