"""The loop that keeps connections current: it re-evaluates the rules when anything they read
changed (records, incidents, concerns, the rule set), and at least every few minutes (the windows
move with the clock). A lighting record reported reaches its connection within one tick."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.layers.connections import repository, service

log = logging.getLogger(__name__)


class ConnectionsWorker:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, tick_s: float = 1.0, every_s: float = 300.0
    ) -> None:
        self.sessions = sessions
        self.tick_s = tick_s
        self.every_s = every_s
        self._woken = asyncio.Event()
        self._seen: tuple[Any, ...] | None = None

    def wake(self) -> None:
        """Evaluate at the next tick even if nothing seems changed (a rule edited, a test)."""
        self._woken.set()

    async def run_once(self, force: bool = False) -> service.Evaluation | None:
        async with self.sessions() as session, session.begin():
            mark = await repository.fingerprint(session)
            if not force and mark == self._seen:
                return None
            result = await service.evaluate_city(session)
        if result.evaluated:
            self._seen = mark
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
