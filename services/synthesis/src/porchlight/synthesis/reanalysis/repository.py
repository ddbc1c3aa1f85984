"""All SQL of re-analysis runs: the run to resume, and the next notes after its cursor."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.synthesis.notes.models import ReceivedNote as N
from porchlight.synthesis.reanalysis.models import ReanalysisRun


class ReanalysisRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def unfinished_run(self, since: datetime, tag: str) -> ReanalysisRun | None:
        return await self.session.scalar(
            sa.select(ReanalysisRun)
            .where(
                ReanalysisRun.since == since, ReanalysisRun.model_version == tag, ReanalysisRun.finished_at.is_(None)
            )
            .order_by(ReanalysisRun.id.desc())
            .limit(1)
        )

    async def add_run(self, run: ReanalysisRun) -> ReanalysisRun:
        self.session.add(run)
        await self.session.flush()
        return run

    async def run_locked(self, run_id: int) -> ReanalysisRun | None:
        return await self.session.get(ReanalysisRun, run_id, with_for_update=True)

    async def next_notes(self, run: ReanalysisRun, since: datetime, limit: int) -> Sequence[N]:
        """The notes since ``since`` after the run's cursor, in (occurred_at, note_id) order, locked."""
        after = []
        if run.cursor_occurred_at is not None and run.cursor_note_id is not None:
            after.append(sa.tuple_(N.occurred_at, N.note_id) > sa.tuple_(run.cursor_occurred_at, run.cursor_note_id))
        return (
            await self.session.scalars(
                sa.select(N)
                # A note without words (none written, or erased: docs/privacy.md) has nothing to
                # re-read; an erased one keeps the concerns and topics it was counted with.
                .where(N.occurred_at >= since, N.document != "", *after)
                .order_by(N.occurred_at, N.note_id)
                .limit(limit)
                .with_for_update()
            )
        ).all()
