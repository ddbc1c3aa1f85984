"""The analyzer: notes the consumer received are analyzed here, in batches, off the consumer.

The consumer only stores what a note says (fast, no model) and marks it pending
(``analyzed_at IS NULL``); this loop takes pending notes — ``FOR UPDATE SKIP LOCKED``, so
replicas share the work — analyzes a batch with one model call, stores concerns, queues
``note.analyzed`` and refreshes insights, all in one transaction. The consumer is therefore never
held up by the model (nor by its first load), and a note is counted as received at once.

A batch that fails is retried note by note; a note that fails alone is marked analyzed with model
version ``failed`` and no concerns (logged with the error's type only: no resident text in logs),
so one bad note never blocks the others. Database or broker outages are retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.events.consumer import is_transient
from porchlight.synthesis.analysis.repository import AnalysisRepository
from porchlight.synthesis.analysis.service import analyze_and_store, facts_of_stored
from porchlight.synthesis.insights.service import refresh_insights
from porchlight.synthesis.learning.service import ModelHolder

log = logging.getLogger(__name__)

BATCH = 256
IDLE_WAIT_S = 0.05


class Analyzer:
    """The service's analysis loops (started at start-up, analysis/startup.py), woken by the consumer."""

    def __init__(self, holder: ModelHolder, loops: int = 2) -> None:
        self.holder = holder
        #: Batches in flight at once (``PORCHLIGHT_SYNTHESIS_ANALYZERS``).
        self.loops = loops
        self._wake: asyncio.Event | None = None

    def wake(self) -> None:
        """New notes were received (called inside the consumer's transaction, before its commit)."""
        if self._wake is not None:
            self._wake.set()

    async def run(
        self, sessions: async_sessionmaker[AsyncSession], stopping: Callable[[], bool], loops: int | None = None
    ) -> None:
        """Analyze pending notes until ``stopping()``; the batches in hand are finished first.

        ``loops`` batches are in flight at once (``PORCHLIGHT_SYNTHESIS_ANALYZERS``, default 2),
        each its own transaction taking its own notes (``SKIP LOCKED``), as replicas would: while
        one batch is stored (SQL, outbox, insights) the next is embedded, so the model's threads
        are not idle between batches (measured: idle ~30 % of the time with one loop).
        """
        self._wake = asyncio.Event()
        count = loops or self.loops
        await asyncio.gather(*(self._loop(sessions, stopping) for _ in range(max(1, count))))

    async def _loop(self, sessions: async_sessionmaker[AsyncSession], stopping: Callable[[], bool]) -> None:
        assert self._wake is not None
        while not stopping():
            try:
                done = await self.analyze_pending(sessions)
            except Exception as exc:
                if not is_transient(exc):
                    log.error("analysis batch failed (%s); retrying note by note", type(exc).__name__)
                    await self.analyze_one_by_one(sessions)
                else:
                    log.warning("analysis waits for the database (%s)", type(exc).__name__)
                    await asyncio.sleep(1.0)
                continue
            if done == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), IDLE_WAIT_S * 4)
                self._wake.clear()
                await asyncio.sleep(IDLE_WAIT_S)  # let the consumer's transaction commit

    async def analyze_pending(self, sessions: async_sessionmaker[AsyncSession], limit: int = BATCH) -> int:
        async with sessions() as session, session.begin():
            notes = await AnalysisRepository(session).take_pending(limit)
            if not notes:
                return 0
            live = await self.holder.current(session)
            districts = await analyze_and_store(session, live, [facts_of_stored(n) for n in notes])
            await refresh_insights(session, districts, live.tag)
            return len(notes)

    async def analyze_one_by_one(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        async with sessions() as session:
            ids = await AnalysisRepository(session).pending_ids(BATCH)
        for note_id in ids:
            try:
                async with sessions() as session, session.begin():
                    note = await AnalysisRepository(session).get_locked(note_id)
                    if note is None or note.analyzed_at is not None:
                        continue
                    live = await self.holder.current(session)
                    districts = await analyze_and_store(session, live, [facts_of_stored(note)])
                    await refresh_insights(session, districts, live.tag)
            except Exception as exc:
                if is_transient(exc):
                    raise
                log.error(
                    "note analysis failed (%s); marked failed", type(exc).__name__, extra={"note_id": str(note_id)}
                )
                async with sessions() as session, session.begin():
                    await AnalysisRepository(session).mark_failed(note_id, datetime.now(UTC))
