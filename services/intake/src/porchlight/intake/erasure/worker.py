"""The retention loop: every ``retention_interval_s`` it erases what is past its retention period.

Replicas may all run it: each batch takes its rows with ``FOR UPDATE SKIP LOCKED``, and an
erasure finds the record of one another replica made. A failed round is logged and retried at
the next interval; nothing is half-erased (one transaction per batch).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.events import Outbox
from porchlight.intake.erasure.service import RetentionReport, retention_round
from porchlight.intake.settings import IntakeSettings

log = logging.getLogger(__name__)


class RetentionWorker:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], outbox: Outbox, settings: IntakeSettings) -> None:
        self.sessions = sessions
        self.outbox = outbox
        self.settings = settings

    async def run_once(self, *, dry_run: bool = False) -> RetentionReport:
        return await retention_round(self.sessions, self.outbox, self.settings, dry_run=dry_run)

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("retention round failed; retrying at the next interval")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), self.settings.retention_interval_s)
