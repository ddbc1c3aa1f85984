"""All SQL of incident imports (incidents are records: see records/)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.layers.records.models import records


async def districts_of(session: AsyncSession, record_ids: Sequence[str]) -> dict[str, int]:
    """How many of these records each district holds."""
    if not record_ids:
        return {}
    ids = [uuid.UUID(r) for r in record_ids]
    query = (
        sa.select(records.c.district, sa.func.count())
        .where(records.c.record_id.in_(ids), records.c.district.is_not(None))
        .group_by(records.c.district)
    )
    return {d: int(n) for d, n in (await session.execute(query)).all()}


async def without_point(session: AsyncSession, record_ids: Sequence[str]) -> int:
    """How many of these records have no point (placed by a district alone)."""
    if not record_ids:
        return 0
    ids = [uuid.UUID(r) for r in record_ids]
    query = sa.select(sa.func.count()).where(records.c.record_id.in_(ids), records.c.lat.is_(None))
    return int((await session.execute(query)).scalar_one())
