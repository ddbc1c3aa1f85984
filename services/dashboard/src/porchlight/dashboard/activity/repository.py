"""All SQL about district activity."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.activity.models import DistrictActivity


class ActivityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count_note(self, district: str, at: datetime) -> None:
        t = sa.table(
            "district_activity",
            sa.column("district"),
            sa.column("notes"),
            sa.column("last_note_at"),
            schema="dashboard",
        )
        stmt = insert(t).values(district=district, notes=1, last_note_at=at)
        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.district],
            set_={"notes": t.c.notes + 1, "last_note_at": sa.func.greatest(t.c.last_note_at, at)},
        )
        await self.session.execute(stmt)

    async def all(self) -> list[DistrictActivity]:
        rows = await self.session.scalars(sa.select(DistrictActivity).order_by(DistrictActivity.district))
        return list(rows)
