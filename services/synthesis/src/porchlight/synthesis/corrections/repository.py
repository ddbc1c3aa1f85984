"""All SQL of corrections: the concerns a supervisor relabels, and the correction rows."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.synthesis.learning.models import Correction
from porchlight.synthesis.notes.models import AnalyzedConcern


class CorrectionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def concern_locked(self, concern_id: int) -> AnalyzedConcern | None:
        return await self.session.get(AnalyzedConcern, concern_id, with_for_update=True)

    async def concerns_locked(self, concern_ids: Sequence[int]) -> Sequence[AnalyzedConcern]:
        return (
            await self.session.scalars(
                sa.select(AnalyzedConcern).where(AnalyzedConcern.id.in_(concern_ids)).with_for_update()
            )
        ).all()

    async def add(self, correction: Correction) -> Correction:
        """Stored at once: its id is the model version's ``corrections_upto``."""
        self.session.add(correction)
        await self.session.flush()
        return correction

    async def flush(self) -> None:
        await self.session.flush()
