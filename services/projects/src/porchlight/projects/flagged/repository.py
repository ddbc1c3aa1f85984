"""All SQL of flagged cards."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.projects.flagged.models import flagged
from porchlight.projects.priorities.models import Priority


async def add(session: AsyncSession, row: dict[str, Any]) -> None:
    """Store a flagged card once (an event delivered twice is one card)."""
    await session.execute(pg_insert(flagged).values(row).on_conflict_do_nothing())


async def listed(
    session: AsyncSession, district: str | None, department: str | None, status: str | None, limit: int
) -> Sequence[Any]:
    query = sa.select(flagged).order_by(flagged.c.flagged_at.desc()).limit(limit)
    if district:
        query = query.where(flagged.c.district == district)
    if department:
        query = query.where(flagged.c.department == department)
    if status:
        query = query.where(flagged.c.status == status)
    return (await session.execute(query)).all()


async def one(session: AsyncSession, issue_id: uuid.UUID, *, lock: bool = False) -> Any:
    query = sa.select(flagged).where(flagged.c.issue_id == issue_id)
    return (await session.execute(query.with_for_update() if lock else query)).first()


async def converted(session: AsyncSession, issue_id: uuid.UUID, project_id: uuid.UUID) -> None:
    await session.execute(
        sa.update(flagged).where(flagged.c.issue_id == issue_id).values(status="converted", project_id=project_id)
    )


async def dismissed(session: AsyncSession, issue_id: uuid.UUID) -> Any:
    stmt = sa.update(flagged).where(flagged.c.issue_id == issue_id).values(status="dismissed").returning(flagged)
    return (await session.execute(stmt)).one()


async def newest_priority(session: AsyncSession, district: str) -> uuid.UUID | None:
    """The district's newest priority: where a flagged issue's micro-project goes by default."""
    found: uuid.UUID | None = await session.scalar(
        sa.select(Priority.id).where(Priority.district == district).order_by(Priority.created_at.desc()).limit(1)
    )
    return found
