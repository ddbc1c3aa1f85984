"""The sender: claims due deliveries (leased, so replicas share them and a dead sender's come due
again), POSTs them side by side, and records each answer in its own transaction."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.dashboard.settings import DashboardSettings
from porchlight.dashboard.webhooks import repository as repo
from porchlight.dashboard.webhooks.service import LEASE, outcome, payload, post

log = logging.getLogger(__name__)

BATCH = 20
TICK_S = 1.0


class WebhookSender:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Callable[[], DashboardSettings]) -> None:
        self.sessions = sessions
        self.settings = settings  # read at each round: the settings the service provides now
        self._woken = asyncio.Event()

    def wake(self) -> None:
        self._woken.set()

    async def run_once(self, client: httpx.AsyncClient) -> int:
        """Send what is due now; how many were tried."""
        now = datetime.now(UTC)
        async with self.sessions() as session, session.begin():
            due = await repo.claim(session, now, now + LEASE, BATCH)
        if not due:
            return 0
        settings = self.settings()
        async with self.sessions() as session:
            found = await repo.updates_of(session, [row.update_id for row in due])
        # An update being rebuilt into the read model is sent when it is back (its lease expires).
        due = [row for row in due if row.update_id in found]
        base = settings.public_base()
        answers = await asyncio.gather(
            *(post(client, row, payload(found[row.update_id], base), settings.webhook_timeout_s) for row in due)
        )
        for row, (status, error) in zip(due, answers, strict=True):
            values = outcome(row.attempts, status, error, settings.webhook_backoff_s, datetime.now(UTC))
            async with self.sessions() as session, session.begin():
                await repo.record(session, row.delivery_id, values)
            if values.get("status") == "dead":
                log.warning(
                    "webhook delivery dead after %d attempts", row.attempts, extra={"delivery_id": str(row.delivery_id)}
                )
        return len(due)

    async def run(self, stopping: asyncio.Event) -> None:
        async with httpx.AsyncClient(follow_redirects=False) as client:
            while not stopping.is_set():
                # A round waiting on slow endpoints is dropped at shutdown, not waited for: its
                # deliveries' lease runs out and they go again (the receiver dedupes by webhook-id).
                round_ = asyncio.ensure_future(self.run_once(client))
                stop = asyncio.ensure_future(stopping.wait())
                await asyncio.wait({round_, stop}, return_when=asyncio.FIRST_COMPLETED)
                stop.cancel()
                if not round_.done():
                    round_.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await round_
                    return
                try:
                    tried = round_.result()
                except Exception:
                    log.warning("webhook round failed; retrying", exc_info=True)
                    tried = 0
                if tried:
                    continue  # more may be due
                self._woken.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wait(stopping), TICK_S)

    async def _wait(self, stopping: asyncio.Event) -> None:
        woken = asyncio.ensure_future(self._woken.wait())
        stop = asyncio.ensure_future(stopping.wait())
        try:
            await asyncio.wait({woken, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            woken.cancel()
            stop.cancel()
