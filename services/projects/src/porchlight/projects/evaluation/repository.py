"""All SQL of a priority's evaluation: its projects' dates and statuses, its published wins."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.projects.wins.models import Win
from porchlight.projects.work.models import Project


class EvaluationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def projects_of(self, priority_id: uuid.UUID) -> Sequence[Any]:
        """Id, title, place, status, remedy kind, start, due and completion of each of the priority's projects."""
        stmt = sa.select(
            Project.id,
            Project.title,
            Project.place,
            Project.status,
            Project.remedy_kind,
            Project.starts_on,
            Project.due_on,
            Project.completed_at,
        ).where(Project.priority_id == priority_id)
        return (await self.session.execute(stmt)).all()

    async def wins_published(self, priority_id: uuid.UUID) -> int:
        stmt = sa.select(sa.func.count()).where(Win.priority_id == priority_id, Win.status == "published")
        return int(await self.session.scalar(stmt) or 0)
