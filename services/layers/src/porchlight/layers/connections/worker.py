"""The loop that keeps connections current: each tick it takes the cells where records, incidents
or concerns changed (``records.models.dirty_cells``, written with the change) and re-evaluates the
rules around them only; every few minutes, and when a rule is edited, the whole city (the windows
move with the clock). A lighting record reported reaches its connection within a tick or two."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.layers.connections import repository, service
from porchlight.layers.records import repository as records_repository

log = logging.getLogger(__name__)


class ConnectionsWorker:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, tick_s: float = 1.0, every_s: float = 300.0
    ) -> None:
        self.sessions = sessions
        self.tick_s = tick_s
        self.every_s = every_s
        self._woken = asyncio.Event()

    def wake(self) -> None:
        """Evaluate at the next tick even if nothing seems changed (a rule edited, a test)."""
        self._woken.set()

    async def run_once(self, force: bool = False) -> service.Evaluation | None:
        """Evaluate around the changed cells (everywhere when ``force``); None when nothing changed.

        The cells are taken in the evaluation's transaction: if it fails they stay for the next tick.
        """
        async with self.sessions() as session, session.begin():
            if not await repository.take_turn(session):
                return service.Evaluation(evaluated=False)  # another replica is evaluating
            cells = await records_repository.take_dirty(session)
            if not force and not cells:
                return None
            result = await service.evaluate_city(session, cells=None if force else cells)
        if result.opened or result.updated or result.closed:
            log.info(
                "connections evaluated",
                extra={"opened": result.opened, "updated": result.updated, "closed": result.closed},
            )
        return result

    async def run(self, stopping: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        last_full = loop.time()
        while not stopping.is_set():
            force = self._woken.is_set() or loop.time() - last_full >= self.every_s
            self._woken.clear()
            try:
                result = await self.run_once(force=force)
                if force and result is not None and result.evaluated:
                    last_full = loop.time()
            except Exception:  # the database away for a moment: try again next tick
                log.warning("connections evaluation failed; retrying", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), self.tick_s)
