"""All SQL of the flagged issues read model."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.flagged.models import flagged_issues


async def of_district(session: AsyncSession, district: str, limit: int = 200) -> Sequence[Any]:
    query = (
        sa.select(flagged_issues)
        .where(flagged_issues.c.district == district)
        .order_by(flagged_issues.c.flagged_at.desc())
        .limit(limit)
    )
    return (await session.execute(query)).all()
