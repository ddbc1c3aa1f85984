"""The loop that evaluates completed projects when they are due: a whole day after completion
(at once when ``project.completed`` arrives later than that: its handler wakes the loop), then at
most once a day while the after period fills, and a last time when it is whole."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.layers.evaluation import service
from porchlight.layers.records.service import Places

log = logging.getLogger(__name__)

#: After a wake, look again this soon: the waking handler's transaction may commit just after.
_AFTER_WAKE_S = 1.0


class EvaluationWorker:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], places: Callable[[], Places], *, tick_s: float = 60.0
    ) -> None:
        self.sessions = sessions
        self.places = places  # read at each run: the city's map is whatever the service provides now
        self.tick_s = tick_s
        self._woken = asyncio.Event()

    def wake(self) -> None:
        """Look for due projects now (a project arrived that may be due already)."""
        self._woken.set()

    async def run_once(self, now: datetime | None = None) -> list[uuid.UUID]:
        """Evaluate every project due at ``now`` (default: the clock), one transaction each; the
        ids evaluated. A failure leaves that project due and ends the round (next tick retries)."""
        done: list[uuid.UUID] = []
        while True:
            at = now or datetime.now(UTC)
            try:
                async with self.sessions() as session, session.begin():
                    project_id = await service.evaluate_next(session, self.places().locator.city, at)
            except Exception:
                log.warning("target-vs-control evaluation failed; retrying next tick", exc_info=True)
                return done
            if project_id is None:
                return done
            log.info("project evaluated", extra={"project_id": str(project_id)})
            done.append(project_id)

    async def run(self, stopping: asyncio.Event) -> None:
        wait_s = 0.0
        while not stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wait(stopping), wait_s)
            if stopping.is_set():
                return
            woken = self._woken.is_set()
            self._woken.clear()
            await self.run_once()
            wait_s = _AFTER_WAKE_S if woken else self.tick_s

    async def _wait(self, stopping: asyncio.Event) -> None:
        """Until woken or stopping."""
        woken = asyncio.ensure_future(self._woken.wait())
        stop = asyncio.ensure_future(stopping.wait())
        try:
            await asyncio.wait({woken, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            woken.cancel()
            stop.cancel()
