"""All SQL about district activity."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.activity.models import DistrictActivity

_activity = sa.table(
    "district_activity", sa.column("district"), sa.column("notes"), sa.column("last_note_at"), schema="dashboard"
)
# Built once: this upsert runs for every note event, and compiling it per event cost more than
# executing it (bench/pipeline.py).
_COUNT_NOTE = (
    insert(_activity)
    .values(district=sa.bindparam("district"), notes=sa.bindparam("n"), last_note_at=sa.bindparam("at"))
    .on_conflict_do_update(
        index_elements=[_activity.c.district],
        set_={
            "notes": _activity.c.notes + sa.bindparam("n"),
            "last_note_at": sa.func.greatest(_activity.c.last_note_at, sa.bindparam("at")),
        },
    )
)


class ActivityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count_notes(self, district: str, n: int, latest: datetime) -> None:
        """Add ``n`` notes to a district's counter; ``latest`` is the newest note's time."""
        await self.session.execute(_COUNT_NOTE, {"district": district, "n": n, "at": latest})

    async def all(self) -> list[DistrictActivity]:
        rows = await self.session.scalars(sa.select(DistrictActivity).order_by(DistrictActivity.district))
        return list(rows)
