"""All SQL of emerging topics: the concerns a promotion would move, and the place's concerns of
the topics it changes (what a preview's before and after counts are counted from)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.synthesis.insights.repository import Period, Place, concerns_where
from porchlight.synthesis.notes.models import AnalyzedConcern as C


class EmergingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def concerns(self, concern_ids: Sequence[int]) -> Sequence[C]:
        """The concerns of ``concern_ids``, oldest note first."""
        return (
            await self.session.scalars(sa.select(C).where(C.id.in_(concern_ids)).order_by(C.occurred_at, C.id))
        ).all()

    async def topic_members(
        self, place: Place, period: Period, topics: Sequence[str]
    ) -> list[tuple[int, uuid.UUID, str]]:
        """(concern id, note id, topic) of the place's concerns of ``topics`` in the period:
        the rows the insight's topic figures count (``InsightRepository.topic_counts``)."""
        rows = await self.session.execute(
            sa.select(C.id, C.note_id, C.topic).where(*concerns_where(place, period), C.topic.in_(topics))
        )
        return [(int(i), n, t) for i, n, t in rows.all()]
