"""The analyzer: notes the consumer received are analyzed here, in batches, off the consumer.

The consumer only stores what a note says (fast, no model) and marks it pending
(``analyzed_at IS NULL``); this loop takes pending notes — ``FOR UPDATE SKIP LOCKED``, so
replicas share the work — analyzes a batch with one model call, stores concerns, queues
``note.analyzed`` and refreshes insights, all in one transaction. The consumer is therefore never
held up by the model (nor by its first load), and a note is counted as received at once.

A batch that fails is retried note by note; a note that fails alone is marked analyzed with model
version ``failed`` and no concerns (logged with the error's type only: no resident text in logs),
so one bad note never blocks the others. Database or broker outages are retried with backoff, as the
consumers do (``is_transient`` tells them apart): no failure ends the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, StatusCode, Tracer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.events.consumer import is_transient
from porchlight.events.tracing import context_from
from porchlight.synthesis.analysis.repository import AnalysisRepository
from porchlight.synthesis.analysis.service import analyze_and_store, facts_of_stored
from porchlight.synthesis.insights.service import refresh_insights
from porchlight.synthesis.learning.service import ModelHolder, adapt_to_received
from porchlight.synthesis.notes.models import ReceivedNote

log = logging.getLogger(__name__)

BATCH = 256
IDLE_WAIT_S = 0.05
#: The first and the longest wait before a failed round is tried again (doubling between).
RETRY_S, MAX_RETRY_S = 0.2, 5.0
#: How often an idle analyzer checks whether the topic shares are due for fitting (one count).
ADAPT_CHECK_S = 60.0


class Analyzer:
    """The service's analysis loops (started at start-up, analysis/startup.py), woken by the consumer."""

    def __init__(self, holder: ModelHolder, loops: int = 2, tracer: Tracer | None = None, adapt_from: int = 0) -> None:
        self.holder = holder
        #: ``PORCHLIGHT_SYNTHESIS_ADAPT_FROM``: see ``adapt_when_idle``.
        self.adapt_from = adapt_from
        self._adapt_checked = -ADAPT_CHECK_S
        #: The service's tracer (None: tracing off): see ``analysis_spans``.
        self.tracer = tracer
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
        failures = 0
        while not stopping():
            try:
                done = await self._round(sessions)
            except Exception as exc:
                # Nothing is lost: the round's transaction rolled back and its notes stay pending.
                # Nothing ends this loop either: in standalone mode no one would start it again, and
                # every note received after would wait for analysis for good (issue 16).
                failures += 1
                delay = min(RETRY_S * 2 ** (failures - 1), MAX_RETRY_S)
                if is_transient(exc):
                    log.warning("analysis waits for the database (%s); retrying in %.1fs", type(exc).__name__, delay)
                else:
                    log.error("analysis failed (%s); retrying in %.1fs", type(exc).__name__, delay)
                await _pause(delay, stopping)
                continue
            failures = 0
            if done == 0:
                await self.adapt_when_idle(sessions)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), IDLE_WAIT_S * 4)
                self._wake.clear()
                await asyncio.sleep(IDLE_WAIT_S)  # let the consumer's transaction commit

    async def adapt_when_idle(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        """Fit the topics' shares to the concerns received when due (learning/service.py
        ``adapt_to_received``), checked at most every ``ADAPT_CHECK_S`` and only while no note
        waits: a new version never holds up an analysis. A failure is logged and tried next time."""
        now = asyncio.get_running_loop().time()
        if self.adapt_from <= 0 or now - self._adapt_checked < ADAPT_CHECK_S:
            return
        self._adapt_checked = now
        try:
            async with sessions() as session, session.begin():
                await adapt_to_received(session, self.holder, self.adapt_from)
        except Exception as exc:
            log.warning("fitting the topic shares failed (%s); trying again later", type(exc).__name__)

    async def _round(self, sessions: async_sessionmaker[AsyncSession]) -> int:
        """One batch; if it fails for a reason of its own, the same notes one by one."""
        try:
            return await self.analyze_pending(sessions)
        except Exception as exc:
            if is_transient(exc):
                raise
            log.error("analysis batch failed (%s); retrying note by note", type(exc).__name__)
            return await self.analyze_one_by_one(sessions)

    async def analyze_pending(self, sessions: async_sessionmaker[AsyncSession], limit: int = BATCH) -> int:
        async with sessions() as session, session.begin():
            notes = await AnalysisRepository(session).take_pending(limit)
            if not notes:
                return 0
            live = await self.holder.current(session)
            with analysis_spans(self.tracer, notes) as traces:
                districts = await analyze_and_store(session, live, [facts_of_stored(n) for n in notes], traces)
                await refresh_insights(session, districts, live.tag)
            return len(notes)

    async def analyze_one_by_one(self, sessions: async_sessionmaker[AsyncSession]) -> int:
        """Analyze pending notes one transaction each; returns how many were taken up."""
        async with sessions() as session:
            ids = await AnalysisRepository(session).pending_ids(BATCH)
        for note_id in ids:
            try:
                async with sessions() as session, session.begin():
                    note = await AnalysisRepository(session).get_locked(note_id)
                    if note is None or note.analyzed_at is not None:
                        continue
                    live = await self.holder.current(session)
                    with analysis_spans(self.tracer, [note]) as traces:
                        districts = await analyze_and_store(session, live, [facts_of_stored(note)], traces)
                        await refresh_insights(session, districts, live.tag)
            except Exception as exc:
                if is_transient(exc):
                    raise
                log.error(
                    "note analysis failed (%s); marked failed", type(exc).__name__, extra={"note_id": str(note_id)}
                )
                async with sessions() as session, session.begin():
                    await AnalysisRepository(session).mark_failed(note_id, datetime.now(UTC))
        return len(ids)


@contextlib.contextmanager
def analysis_spans(tracer: Tracer | None, notes: Sequence[ReceivedNote]) -> Iterator[list[Context | None] | None]:
    """Each note's analysis as a span in the trace the note came in (``trace_context``, stored by
    the consumer), so that its ``note.analyzed`` — and whatever consumes it — continues that trace.

    Yields the context each note's event takes (None: tracing off). The batch's own work (the
    model call, the statements) runs in the note's span when the batch is that one note, else in
    a span of the batch linked to every note's, since one call cannot be in several traces.
    """
    if tracer is None:
        yield None
        return
    attributes: dict[str, str | int] = {"porchlight.service": "synthesis", "porchlight.analysis.batch_size": len(notes)}
    spans = [
        tracer.start_span(
            "analyze note", context=parent, attributes={**attributes, "porchlight.note_id": str(n.note_id)}
        )
        if (parent := context_from(n.trace_context)) is not None
        else None
        for n in notes
    ]
    traced = [s for s in spans if s is not None]
    if len(notes) == 1 and traced:
        work = traced[0]
    else:
        links = [Link(s.get_span_context()) for s in traced]
        work = tracer.start_span("analyze notes", context=Context(), links=links, attributes=attributes)
    failed: BaseException | None = None
    try:
        with trace.use_span(work, end_on_exit=False, record_exception=False, set_status_on_exception=False):
            yield [trace.set_span_in_context(s) if s is not None else None for s in spans]
    except BaseException as exc:
        failed = exc
        raise
    finally:
        for span in {id(s): s for s in [*traced, work]}.values():
            if failed is not None:  # the type only: exception messages can quote a note
                span.set_status(StatusCode.ERROR, type(failed).__name__)
            span.end()


async def _pause(seconds: float, stopping: Callable[[], bool]) -> None:
    """Sleep ``seconds``, or less if the service is stopping meanwhile."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not stopping() and (left := deadline - asyncio.get_running_loop().time()) > 0:
        await asyncio.sleep(min(left, 0.1))
