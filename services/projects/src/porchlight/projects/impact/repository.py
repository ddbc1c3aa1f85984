"""All SQL of the impact read model."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.db import upsert
from porchlight.projects.impact.models import project_impacts


async def keep(session: AsyncSession, row: dict[str, Any]) -> None:
    """Store a result unless a newer version is stored already."""
    await session.execute(
        upsert(project_impacts, row, key=["project_id"], where=lambda t, ex: t.c.version < ex.version)
    )


async def of_project(session: AsyncSession, project_id: uuid.UUID) -> dict[str, Any] | None:
    found: dict[str, Any] | None = await session.scalar(
        sa.select(project_impacts.c.result).where(project_impacts.c.project_id == project_id)
    )
    return found


async def of_priority(session: AsyncSession, priority_id: uuid.UUID) -> list[tuple[uuid.UUID, dict[str, Any]]]:
    """``(project_id, result)`` of the priority's evaluated projects."""
    query = (
        sa.select(project_impacts.c.project_id, project_impacts.c.result)
        .where(project_impacts.c.priority_id == priority_id)
        .order_by(project_impacts.c.evaluated_at)
    )
    return [(project_id, result) for project_id, result in (await session.execute(query)).all()]
