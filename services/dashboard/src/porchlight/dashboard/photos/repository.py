"""All SQL of photos. The public reads select only approved photos of public projects."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.photos.models import photos
from porchlight.dashboard.projections.models import projects

_META = [c for c in photos.c if c.name not in ("image", "thumb")]


async def project(session: AsyncSession, project_id: uuid.UUID) -> Any:
    stmt = sa.select(projects.c.project_id, projects.c.district, projects.c.public).where(
        projects.c.project_id == project_id
    )
    return (await session.execute(stmt)).first()


async def add(session: AsyncSession, values: dict[str, Any]) -> None:
    await session.execute(sa.insert(photos).values(**values))


async def get(session: AsyncSession, photo_id: uuid.UUID, *, lock: bool = False) -> Row[Any] | None:
    stmt = sa.select(*_META).where(photos.c.photo_id == photo_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).first()


async def of_project(session: AsyncSession, project_id: uuid.UUID) -> Sequence[Row[Any]]:
    stmt = sa.select(*_META).where(photos.c.project_id == project_id).order_by(photos.c.uploaded_at)
    return (await session.execute(stmt)).all()


async def listed(session: AsyncSession, status: str | None, district: str | None, limit: int) -> Sequence[Row[Any]]:
    stmt = sa.select(*_META).order_by(photos.c.uploaded_at.desc()).limit(limit)
    if status:
        stmt = stmt.where(photos.c.status == status)
    if district:
        stmt = stmt.where(photos.c.district == district)
    return (await session.execute(stmt)).all()


async def review(session: AsyncSession, photo_id: uuid.UUID, values: dict[str, Any]) -> None:
    await session.execute(sa.update(photos).where(photos.c.photo_id == photo_id).values(**values))


async def image(session: AsyncSession, photo_id: uuid.UUID, which: str, *, public: bool) -> bytes | None:
    column = photos.c.thumb if which == "thumb" else photos.c.image
    stmt = sa.select(column).where(photos.c.photo_id == photo_id)
    if public:
        stmt = stmt.join(projects, projects.c.project_id == photos.c.project_id).where(
            photos.c.status == "approved", projects.c.public
        )
    return (await session.execute(stmt)).scalar()


async def public_of(session: AsyncSession, project_ids: Sequence[uuid.UUID]) -> Sequence[Any]:
    """Approved photos of the public ones of ``project_ids``, oldest first."""
    if not project_ids:
        return []
    stmt = (
        sa.select(photos.c.photo_id, photos.c.project_id, photos.c.task_id, photos.c.alt_text, photos.c.alt_text_es)
        .join(projects, projects.c.project_id == photos.c.project_id)
        .where(photos.c.project_id.in_(list(project_ids)), photos.c.status == "approved", projects.c.public)
        .order_by(photos.c.uploaded_at)
    )
    return (await session.execute(stmt)).all()
