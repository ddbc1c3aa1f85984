"""The composer: turns each queued update into newsletter.requested, one transaction each (the
event and the request's new status commit together: composed once, never lost)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.dashboard.newsletters.service import compose_next
from porchlight.dashboard.settings import DashboardSettings
from porchlight.kit.city import load_city

log = logging.getLogger(__name__)

TICK_S = 1.0


class NewsletterComposer:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Callable[[], DashboardSettings]) -> None:
        self.sessions = sessions
        self.settings = settings

    async def run_once(self) -> int:
        done = 0
        while True:
            settings = self.settings()
            async with self.sessions() as session, session.begin():
                found = await compose_next(session, load_city(settings.places_file), settings.public_base())
            if found is None:
                return done
            done += 1

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await self.run_once()
            except Exception:
                log.warning("composing a newsletter failed; retrying", exc_info=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), TICK_S)
