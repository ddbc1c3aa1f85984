"""All SQL about received notes."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.synthesis.notes.models import ReceivedNote


class ReceivedNoteRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count_by_district(self) -> dict[str, int]:
        rows = await self.session.execute(
            sa.select(ReceivedNote.district, sa.func.count()).group_by(ReceivedNote.district)
        )
        return {district: n for district, n in rows.all()}
